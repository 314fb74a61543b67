"""The years a page offers are those that hold data (issue 22), and a view without a period opens on this year
when it has data, else on the latest year that does."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from data_access import queries
from metrics.views.filters import default_year, parse_filters, year_choices
from tests.builders import Seed


def test_yrs001_every_source_of_a_year_counts_and_gaps_stay_gaps(session: Session):
    assert queries.data_years(session) == []
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T"))
    account = seed.account("A1", rep)
    seed.opp(account, 100, 2, created=date(2016, 5, 1), expected=date(2016, 9, 1))  # open, created and due 2016
    won = seed.opp(
        account, 200, 5, "won", created=date(2016, 12, 31), expected=date(2017, 1, 1), closed=date(2017, 1, 2)
    )
    seed.contract(won, 200, date(2019, 3, 1))  # a contract signed two years after the close: 2019
    seed.opp(account, 300, 1, created=date(2021, 2, 1), expected=date(2023, 6, 30))  # due in 2023
    seed.quota(rep, 2030, 1000, 100)  # a task book of 2030, nothing else dated then
    lost = seed.opp(
        account, 50, 1, "lost", created=date(2021, 3, 1), expected=date(2031, 1, 1), closed=date(2021, 4, 1)
    )
    session.commit()
    assert lost.expected_close_date.year == 2031  # a closed deal's old due date holds no data of 2031
    assert queries.data_years(session) == [2030, 2023, 2021, 2019, 2017, 2016]


def test_yrs002_the_default_year_and_the_pickers_years():
    today = date(2026, 12, 2)
    assert default_year([], today) == 2026  # nothing at all: this year (the pages say there is no data)
    assert default_year([2026, 2017], today) == 2026
    assert default_year([2017, 2016], today) == 2017  # an imported history: its latest year
    assert default_year([2030, 2017], today) == 2030  # only a future task book: that year
    assert year_choices([2017, 2016], today) == [2017, 2016]
    assert year_choices([2017, 2016], today, 2012) == [2017, 2016, 2012]  # an address's own year is shown too
    assert year_choices([], today) == [2026]
    assert parse_filters({}, today, set(), years=[2017, 2016]).period.year == 2017
    assert parse_filters({"period": "2016Q2"}, today, set(), years=[2017, 2016]).period.key == "2016Q2"
    bad = parse_filters({"period": "1999"}, today, set(), years=[2017, 2016])
    assert bad.period.year == 2017 and bad.problems  # a refused year falls back to the default, with a notice
