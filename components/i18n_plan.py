"""The UI strings of next best actions and the forecast (issue 21): zh / en, merged into
``components.i18n.TRANSLATIONS``."""

from __future__ import annotations

PLAN: dict[str, dict[str, str]] = {
    "nav.actions": {"en": "Next actions", "zh": "下一步行动"},
    "actions.title": {"en": "Next best actions", "zh": "下一步最佳行动"},
    "actions.subtitle": {
        "en": "The RAD playbook as a to-do list, as of {day}: a line goes when the data says it is done",
        "zh": "RAD 客户打法变成待办清单（截至 {day}）：数据显示已完成时自动消失",
    },
    "actions.mine": {"en": "My actions", "zh": "我的行动"},
    "actions.none": {"en": "Nothing to do: every rule is met.", "zh": "暂无待办：各项规则均已满足。"},
    "actions.all": {"en": "All actions", "zh": "全部行动"},
    "actions.count": {"en": "{n} actions", "zh": "{n} 项行动"},
    "actions.more": {"en": "Showing {shown} of {total}", "zh": "显示 {shown} / 共 {total} 项"},
    "actions.own_director": {
        "en": "Your TOP 10 D accounts without a director's visit this quarter",
        "zh": "本季度尚无总监拜访的 TOP 10 D 类客户（总监亲自负责）",
    },
    "actions.per_team": {"en": "Actions per team", "zh": "各团队待办数"},
    "actions.per_rep": {"en": "Actions per rep", "zh": "各销售代表待办数"},
    "actions.team_list": {"en": "The team's actions", "zh": "团队的全部行动"},
    "actions.rep_list": {"en": "Actions of {name}", "zh": "{name}的行动"},
    "actions.back": {"en": "Back to all teams", "zh": "返回全部团队"},
    "actions.back_team": {"en": "Back to the team", "zh": "返回团队"},
    "actions.team": {"en": "Team", "zh": "团队"},
    "actions.rep": {"en": "Rep", "zh": "销售代表"},
    "actions.total": {"en": "Total", "zh": "合计"},
    "actions.open": {"en": "All my actions", "zh": "查看全部行动"},
    "action.kind.visit_d": {"en": "Visit D accounts", "zh": "拜访 D 类客户"},
    "action.kind.learn_bp": {"en": "Learn the BP", "zh": "摸清年度采购量"},
    "action.kind.exec_touch_r": {"en": "Executive touch for R accounts", "zh": "R 类客户高层互动"},
    "action.kind.director_top10_d": {"en": "TOP 10 D: director's visit", "zh": "TOP 10 D 类：总监拜访"},
    "action.kind.stalled_deal": {"en": "Move stalled deals", "zh": "推进停滞商机"},
    "action.kind.collect_overdue": {"en": "Collect overdue payments", "zh": "催收逾期回款"},
    "action.kind.plan_next_week": {"en": "Plan next week", "zh": "制定下周计划"},
    "action.short.visit_d": {"en": "Visit D", "zh": "拜访 D"},
    "action.short.learn_bp": {"en": "BP", "zh": "采购量"},
    "action.short.exec_touch_r": {"en": "R exec", "zh": "R 高层"},
    "action.short.director_top10_d": {"en": "Director", "zh": "总监"},
    "action.short.stalled_deal": {"en": "Stalled", "zh": "停滞"},
    "action.short.collect_overdue": {"en": "Overdue", "zh": "逾期"},
    "action.short.plan_next_week": {"en": "Plan", "zh": "计划"},
    "action.why.visit_d": {
        "en": "Class D: last done visit {day} ({days} days ago); visit at least every 30 days",
        "zh": "D 类客户：最近一次拜访 {day}（{days} 天前），应至少每 30 天拜访一次",
    },
    "action.why.visit_d_never": {
        "en": "Class D: no done visit on record; visit at least every 30 days",
        "zh": "D 类客户：尚无拜访记录，应至少每 30 天拜访一次",
    },
    "action.why.learn_bp": {
        "en": "No BP for {year}: learn the real buying power by phone",
        "zh": "尚无 {year} 年采购量：电话摸清真实采购量",
    },
    "action.why.learn_bp_known": {
        "en": "No BP for {year} (latest known: {known}): learn the real buying power by phone",
        "zh": "尚无 {year} 年采购量（最近已知：{known} 年）：电话摸清真实采购量",
    },
    "action.why.exec_touch_r": {
        "en": "Class R without an executive visit, VIP event or round table in {quarter}",
        "zh": "R 类客户 {quarter} 尚无高层拜访、VIP 活动或高层圆桌",
    },
    "action.why.director_top10_d": {
        "en": "TOP 10 D #{rank}, white space {amount}: no director's visit in {quarter}",
        "zh": "TOP 10 D 类第 {rank} 名，空白市场 {amount}：{quarter} 尚无总监拜访",
    },
    "action.why.stalled_deal": {
        "en": "At level {level} since {day}: {days} days without a stage change",
        "zh": "自 {day} 起停在第 {level} 级：{days} 天无阶段变化",
    },
    "action.why.collect_overdue": {
        "en": "{n} payment(s) overdue, {amount}; the oldest due {day} ({days} days late)",
        "zh": "{n} 笔回款逾期，共 {amount}；最早应收 {day}（逾期 {days} 天）",
    },
    "action.why.plan_next_week": {
        "en": "No visit planned for {week}",
        "zh": "{week} 尚无拜访计划",
    },
    # the forecast
    "forecast.title": {"en": "Forecast: what will land in {period}", "zh": "预测：{period} 可能落地的业绩"},
    "forecast.booked": {"en": "Booked", "zh": "已签约"},
    "forecast.p10": {"en": "P10 (low)", "zh": "P10（保守）"},
    "forecast.p50": {"en": "P50 (likely)", "zh": "P50（最可能）"},
    "forecast.p90": {"en": "P90 (high)", "zh": "P90（乐观）"},
    "forecast.quota": {"en": "Quota", "zh": "销售指标"},
    "forecast.chance": {"en": "Chance to make the quota", "zh": "完成指标的概率"},
    "forecast.no_quota": {"en": "No quota set", "zh": "未设定指标"},
    "forecast.closed": {
        "en": "The period has ended: what was booked is what landed.",
        "zh": "该期间已结束：已签约金额即最终业绩。",
    },
    "forecast.method": {
        "en": "{runs} seeded runs over {deals} open deals due by the period's end ({drawn} drawn one by one). "
        "A deal lands when won (its level's win rate) and closed in the period (its level's share closed by the "
        "expected date), both from the deals closed in the last 12 months.",
        "zh": "对期末前到期的 {deals} 个未结商机做 {runs} 次固定种子的模拟（其中 {drawn} 个逐一抽样）。"
        "商机落地 = 赢单（按所在级别的赢率）且在期内成交（按该级别按期成交的比例），两者均取自近 12 个月已结商机。",
    },
    "forecast.shrunk": {
        "en": "Fewer than 30 closed deals at level(s) {levels}: their rates are shrunk toward the configured p(level).",
        "zh": "第 {levels} 级近 12 个月已结商机不足 30 个：其比率向设定的级别赢率收缩。",
    },
    "forecast.rates": {"en": "Rates by level", "zh": "各级别比率"},
    "forecast.level": {"en": "Level", "zh": "级别"},
    "forecast.closed_n": {"en": "Closed (12 mo)", "zh": "近 12 月已结"},
    "forecast.p_win": {"en": "Win", "zh": "赢率"},
    "forecast.p_close": {"en": "Closes in time", "zh": "按期成交"},
    "forecast.p_level": {"en": "Configured", "zh": "设定赢率"},
    "forecast.drivers": {"en": "The deals that matter most", "zh": "影响最大的商机"},
    "forecast.drivers_note": {
        "en": "By their share of the forecast's spread (amount² × p × (1 − p))",
        "zh": "按对预测波动的贡献排序（金额² × p × (1 − p)）",
    },
    "forecast.deal": {"en": "Deal", "zh": "商机"},
    "forecast.amount": {"en": "Amount", "zh": "金额"},
    "forecast.p_land": {"en": "Lands", "zh": "落地概率"},
    "forecast.share": {"en": "Share of spread", "zh": "波动占比"},
    "forecast.track": {"en": "Track record: the last 8 quarters", "zh": "历史验证：近 8 个季度"},
    "forecast.track_note": {
        "en": "Each quarter forecast at its start from the history as it was then, against what was booked. "
        "Actual within P10-P90: {coverage} of quarters (about 80% when the ranges are honest). Mean error of P50: "
        "{p50}; of the weighted pipeline: {weighted}.",
        "zh": "每个季度都在季初仅用当时的历史数据预测，再与实际签约对比。实际落在 P10-P90 之间的季度占 {coverage}"
        "（区间可信时约为 80%）。P50 平均误差 {p50}；加权管道平均误差 {weighted}。",
    },
    "forecast.track_wait": {"en": "Replaying the last 8 quarters…", "zh": "正在回放近 8 个季度…"},
    "forecast.quarter": {"en": "Quarter", "zh": "季度"},
    "forecast.actual": {"en": "Actual", "zh": "实际"},
    "forecast.weighted": {"en": "Weighted pipeline", "zh": "加权管道"},
    "forecast.inside": {"en": "In range", "zh": "落在区间内"},
    "forecast.error": {"en": "P50 error", "zh": "P50 误差"},
    "forecast.weighted_error": {"en": "Weighted error", "zh": "加权误差"},
    "forecast.yes": {"en": "yes", "zh": "是"},
    "forecast.no": {"en": "no", "zh": "否"},
    "forecast.classes": {"en": "V value by RAD class", "zh": "按 RAD 客户分类的 V 值"},
    "forecast.classes_note": {
        "en": "The remaining quota is shared by each class's share of last year's bookings; the required V is 1 / the "
        "class's own win rate (by amount, last 365 days). Classes are the accounts' in {year}.",
        "zh": "剩余任务按各类客户去年签约额的占比分摊；所需 V 值 = 1 / 该类客户自身的赢率（按金额，近 365 天）。"
        "客户分类取 {year} 年。",
    },
    "forecast.class": {"en": "Class", "zh": "分类"},
    "forecast.pipeline_due": {"en": "Pipeline due", "zh": "期内到期管道"},
    "forecast.share_last_year": {"en": "Share of last year", "zh": "去年签约占比"},
    "forecast.remaining": {"en": "Remaining quota share", "zh": "分摊剩余任务"},
    "forecast.v": {"en": "V value", "zh": "V 值"},
    "forecast.required_v": {"en": "Required V", "zh": "所需 V 值"},
    "forecast.quota_met": {"en": "quota met", "zh": "已完成"},
}
