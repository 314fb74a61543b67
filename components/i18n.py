"""One translation table for every UI string (zh / en), and the request's language.

The language comes from the ``lang`` cookie (set by ``/lang/<code>``), else the browser's
Accept-Language, else the configured default. ``t(key)`` raises KeyError for an unknown key, so a
missing translation fails the tests instead of showing a raw key.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

LANGS = ("zh", "en")
COOKIE = "lang"

TRANSLATIONS: dict[str, dict[str, str]] = {
    # shell
    "app.name": {"en": "SalesRadar", "zh": "销售雷达"},
    "app.tagline": {"en": "Sales refined management", "zh": "销售精细化管理"},
    "nav.overview": {"en": "Overview", "zh": "总览"},
    "nav.rad": {"en": "RAD matrix", "zh": "RAD 客户矩阵"},
    "nav.funnel": {"en": "Funnel", "zh": "商机漏斗"},
    "nav.scorecards": {"en": "Scorecards", "zh": "销售记分卡"},
    "nav.winloss": {"en": "Win/Loss", "zh": "赢输分析"},
    "nav.language": {"en": "中文", "zh": "English"},
    "nav.language_title": {"en": "切换到中文", "zh": "Switch to English"},
    # common
    "common.loading": {"en": "Loading…", "zh": "加载中…"},
    "common.unknown": {"en": "unknown", "zh": "未知"},
    "common.no_data": {"en": "No data yet", "zh": "暂无数据"},
    "common.coming_soon": {
        "en": "This page is being built. The numbers it will show are defined in the data dictionary.",
        "zh": "此页面正在建设中，其指标定义见数据字典。",
    },
    "filter.period": {"en": "Period", "zh": "期间"},
    "filter.year": {"en": "Year", "zh": "年度"},
    "filter.quarter": {"en": "Quarter", "zh": "季度"},
    "filter.full_year": {"en": "Full year", "zh": "全年"},
    "filter.team": {"en": "Team", "zh": "团队"},
    "filter.all_teams": {"en": "All teams", "zh": "全部团队"},
    "filter.bad_value": {"en": "Ignored an invalid filter: {detail}", "zh": "已忽略无效的筛选条件：{detail}"},
    "filter.rep": {"en": "Rep", "zh": "销售"},
    "filter.all_reps": {"en": "All reps", "zh": "全部销售"},
    "filter.product": {"en": "Product line", "zh": "产品线"},
    "filter.all_products": {"en": "All product lines", "zh": "全部产品线"},
    "filter.rad": {"en": "RAD class", "zh": "RAD 分类"},
    "filter.all_classes": {"en": "All classes", "zh": "全部分类"},
    "filter.deal_note": {
        "en": "Product line and RAD class narrow the deals; bookings, attainment and the remaining quota stay "
        "the reps' whole task book, so V shows how much of it this pipeline covers.",
        "zh": "产品线和 RAD 分类只筛选商机；销售额、完成率和剩余任务仍按销售任务书整体计算，"
        "V 值表示这部分商机覆盖了多少剩余任务。",
    },
    "rad.class.R": {"en": "R · Retention", "zh": "R · 保持型"},
    "rad.class.A": {"en": "A · Acquisition", "zh": "A · 开拓型"},
    "rad.class.D": {"en": "D · Development", "zh": "D · 发展型"},
    "rad.class.none": {"en": "Unknown (no BP)", "zh": "未知（无采购量）"},
    "rad.title": {"en": "RAD matrix", "zh": "客户 RAD 分析"},
    "rad.subtitle": {
        "en": "{year}: share of wallet against buying power · {n} accounts",
        "zh": "{year}年：客户覆盖深度与年度采购量 · {n} 个客户",
    },
    "rad.region": {"en": "Region", "zh": "区域"},
    "rad.all_regions": {"en": "All regions", "zh": "全部区域"},
    "rad.industry": {"en": "Industry", "zh": "行业"},
    "rad.all_industries": {"en": "All industries", "zh": "全部行业"},
    "rad.summary": {"en": "Accounts by class", "zh": "分类汇总"},
    "rad.moves": {"en": "Moved class, {prev} → {year}", "zh": "类别变化：{prev} → {year}"},
    "rad.moves_none": {"en": "No account changed class.", "zh": "没有客户改变类别。"},
    "rad.moves_note": {
        "en": "Both years classed with today's thresholds.",
        "zh": "两年均按当前阈值分类。",
    },
    "rad.scatter": {
        "en": "SOW against BP · click a marker for the account, box or lasso to list several",
        "zh": "覆盖深度与采购量 · 点击圆点查看客户，框选或套索选择多个",
    },
    "rad.shown": {"en": "{n} accounts on the chart", "zh": "图中 {n} 个客户"},
    "rad.no_bp_note": {
        "en": "{n} accounts without a known BP are not on the chart (SOW unknown):",
        "zh": "{n} 个客户采购量未知，未显示在图中（覆盖深度未知）：",
    },
    "rad.list_them": {"en": "list them", "zh": "查看列表"},
    "rad.panel_empty": {"en": "Click a marker to see its account here.", "zh": "点击图中的圆点，在此查看客户。"},
    "rad.selection": {"en": "Selected accounts ({n})", "zh": "已选客户（{n}）"},
    "rad.selection_title": {"en": "Selected accounts", "zh": "已选客户"},
    "rad.selection_empty": {
        "en": "Box- or lasso-select markers on the chart to list those accounts here.",
        "zh": "在图中框选或套索选择圆点，在此列出这些客户。",
    },
    "rad.unknown_list": {"en": "Accounts without a known BP ({n})", "zh": "采购量未知的客户（{n}）"},
    "rad.top": {"en": "TOP 20 key accounts", "zh": "重点客户 TOP20"},
    "rad.top_d": {"en": "TOP 10 D accounts (the sales director's own)", "zh": "TOP10 发展型客户（销售总监亲自管理）"},
    "rad.col.class": {"en": "Class", "zh": "类别"},
    "rad.col.accounts": {"en": "Accounts", "zh": "客户数"},
    "rad.col.bp": {"en": "BP", "zh": "采购量"},
    "rad.col.bookings": {"en": "Bookings", "zh": "签约额"},
    "rad.col.sow": {"en": "SOW", "zh": "覆盖深度"},
    "rad.col.pipeline": {"en": "Open pipeline", "zh": "在途商机"},
    "rad.col.white_space": {"en": "White space", "zh": "空白市场"},
    "rad.col.from": {"en": "From", "zh": "原类别"},
    "rad.col.to": {"en": "To", "zh": "新类别"},
    "rad.col.last_visit": {"en": "Last visit", "zh": "最近拜访"},
    "rad.col.visits90": {"en": "Visits (90 days)", "zh": "90天拜访"},
    "rad.col.region": {"en": "Region", "zh": "区域"},
    "rad.col.industry": {"en": "Industry", "zh": "行业"},
    "rad.thresholds": {"en": "Class thresholds", "zh": "分类阈值"},
    "rad.thresholds_text": {
        "en": "R: SOW ≥ {r} · A: SOW < {a} · D: in between",
        "zh": "R：覆盖深度 ≥ {r} · A：覆盖深度 < {a} · D：介于两者之间",
    },
    "rad.r_min": {"en": "R from SOW ≥ (%)", "zh": "R 类：覆盖深度 ≥（%）"},
    "rad.a_max": {"en": "A below SOW < (%)", "zh": "A 类：覆盖深度 <（%）"},
    "rad.save": {"en": "Save as the default", "zh": "保存为默认值"},
    "rad.preview": {
        "en": "Previewing R ≥ {r}, A < {a}: not saved.",
        "zh": "正在预览 R ≥ {r}、A < {a}：尚未保存。",
    },
    "rad.saved": {"en": "Saved: R ≥ {r}, A < {a}.", "zh": "已保存：R ≥ {r}、A < {a}。"},
    "rad.only_director": {"en": "Only a director can change the thresholds.", "zh": "只有销售总监可以修改阈值。"},
    "rad.manual": {"en": "manual", "zh": "手动"},
    "rad.flag.no_bp": {"en": "BP unknown: SOW unknown", "zh": "采购量未知，覆盖深度未知"},
    "rad.flag.bp_too_low": {"en": "SOW over 100%: BP looks too low", "zh": "覆盖深度超过100%：采购量可能偏低"},
    "rad.open_account": {"en": "Open the account page →", "zh": "打开客户页面 →"},
    "rad.playbook": {"en": "What {cls} accounts need next", "zh": "{cls} 类客户的下一步"},
    "rad.play.R": {
        "en": "Raise the experience of the customer's top decision makers: VIP events, executive visits, "
        "executive round tables.|Find the customer's problems before they do and bring solutions.|"
        "Open more small and mid-size orders inside the account.|More personal service for key accounts.",
        "zh": "提升客户高层决策者的体验：VIP 活动、高层拜访、高层圆桌会议。|在客户之前发现问题并提供解决方案。|"
        "在客户内部开拓更多中小订单。|为重点客户提供更多个性化服务。",
    },
    "rad.play.A": {
        "en": "First learn the account's real BP by phone.|A dedicated marketing plan: small amount, high margin, "
        "fine gifts.|Invite to an A-account dinner (6 A with 2 R accounts).|Technical advice from our service "
        "team, even on products we did not sell; direct mail, a service month.|Open doors with technology.",
        "zh": "先通过电话了解客户真实的年度采购量。|制定专门的营销计划：小金额、高毛利、精美礼品。|"
        "邀请参加 A 类客户晚宴（6A+2R）。|由服务团队提供技术建议（包括非我方产品）、直邮、服务月。|以技术敲门。",
    },
    "rad.play.D": {
        "en": "Frequent, direct visits to build relationships with more departments.|Learn the org structure, "
        "each department's budget and projects.|The sales director personally manages the TOP 10 D accounts.|"
        "Joint events with partners across several departments.",
        "zh": "频繁、直接的拜访，与更多部门建立关系。|了解组织结构、各部门的预算和项目。|"
        "销售总监亲自管理 TOP10 发展型客户。|与合作伙伴联合举办跨部门活动。",
    },
    "rad.play.none": {
        "en": "Learn the account's BP (a phone survey) so that it can be classed.",
        "zh": "了解客户的年度采购量（电话调查），以便分类。",
    },
    "sc.title": {"en": "Scorecards", "zh": "销售记分卡"},
    "sc.board_subtitle": {
        "en": "{period}: {n} reps against their task books",
        "zh": "{period}：{n} 名销售的任务完成情况",
    },
    "sc.rollup": {"en": "Teams", "zh": "团队汇总"},
    "sc.board": {
        "en": "Reps (sort by any column; a name opens the scorecard)",
        "zh": "销售排行（可按任一列排序；点击姓名打开记分卡）",
    },
    "sc.everyone": {"en": "Everyone shown", "zh": "全部"},
    "sc.no_reps": {"en": "No rep to show.", "zh": "没有可显示的销售。"},
    "sc.col.rep": {"en": "Rep", "zh": "销售"},
    "sc.col.reps": {"en": "Reps", "zh": "人数"},
    "sc.col.gm_attainment": {"en": "GM attainment", "zh": "毛利完成率"},
    "sc.col.pace": {"en": "Pace", "zh": "进度比"},
    "sc.col.forecast": {"en": "Forecast attainment", "zh": "预测完成率"},
    "sc.col.visits": {"en": "Visits done", "zh": "已拜访"},
    "sc.rep_title": {"en": "{name} ({code})", "zh": "{name}（{code}）"},
    "sc.rep_subtitle": {"en": "Scorecard · {period} · as of {today}", "zh": "记分卡 · {period} · 截至 {today}"},
    "sc.taskbook": {"en": "Task book (printable)", "zh": "销售任务书（可打印）"},
    "sc.forecast_sub": {
        "en": "bookings + weighted pipeline due: {amount}",
        "zh": "签约额 + 期内加权商机：{amount}",
    },
    "sc.remaining": {"en": "Remaining quota", "zh": "剩余任务"},
    "sc.pace_sub": {"en": "pace {pace} (1.00× = on pace)", "zh": "进度比 {pace}（1.00× 为正常进度）"},
    "sc.deal_sub": {"en": "avg deal {size} · {days} days to win", "zh": "平均单额 {size} · 平均 {days} 天赢单"},
    "sc.attainment": {
        "en": "Attainment (the black line: share of the period elapsed)",
        "zh": "完成率（黑线：期间已过比例）",
    },
    "sc.revenue": {"en": "Revenue", "zh": "销售额"},
    "sc.gm": {"en": "Gross margin", "zh": "毛利"},
    "sc.monthly": {"en": "Bookings by month against the target", "zh": "月度签约额与目标"},
    "sc.cumulative": {"en": "Cumulative", "zh": "累计"},
    "sc.cumulative_target": {"en": "Cumulative target", "zh": "累计目标"},
    "sc.month": {"en": "Month", "zh": "月份"},
    "sc.payout": {"en": "Commission payout (5:5 with accelerators)", "zh": "佣金（5:5，含佣金加速度）"},
    "sc.tier": {"en": "Tier", "zh": "档位"},
    "sc.multiplier": {"en": "Multiplier", "zh": "系数"},
    "sc.inside": {"en": "Attainment inside", "zh": "档内完成率"},
    "sc.amount": {"en": "Pays", "zh": "金额"},
    "sc.total": {"en": "Total", "zh": "合计"},
    "sc.no_commission": {
        "en": "No target commission or revenue target in the task book: no payout to compute.",
        "zh": "任务书中没有目标佣金或销售目标，无法计算佣金。",
    },
    "sc.whatif": {"en": "What if these open deals close?", "zh": "如果这些商机成交？"},
    "sc.whatif_result": {
        "en": "{n} deals add {added}: attainment {attainment}",
        "zh": "{n} 个商机增加 {added}：完成率 {attainment}",
    },
    "sc.whatif_pay": {"en": "Commission {payout} ({extra} more)", "zh": "佣金 {payout}（多 {extra}）"},
    "sc.no_open_deals": {"en": "No open deal due in the period.", "zh": "本期没有到期的在途商机。"},
    "sc.visits": {
        "en": "This week's visit plan (from {start}): {done} of {planned} done",
        "zh": "本周拜访计划（{start} 起）：已完成 {done} / {planned}",
    },
    "sc.no_visits": {"en": "No visit planned this week.", "zh": "本周没有拜访计划。"},
    "sc.visits_period": {
        "en": "In the period: {done} visits done, {planned} still planned · {per_week} per week",
        "zh": "本期：已完成 {done} 次拜访，{planned} 次计划中 · 每周 {per_week} 次",
    },
    "sc.visits_by_class": {"en": "Visits by account class:", "zh": "按客户类别拜访："},
    "sc.coverage": {
        "en": "Target accounts: {targets} · visited {visited} · with pipeline {with_pipeline} · booked {booked}",
        "zh": "目标客户：{targets} · 已拜访 {visited} · 有商机 {with_pipeline} · 已签约 {booked}",
    },
    "sc.no_targets": {"en": "The task book names no target accounts.", "zh": "任务书未列出目标客户。"},
    "sc.visited": {"en": "Visited", "zh": "已拜访"},
    "sc.booked": {"en": "Booked", "zh": "已签约"},
    "sc.overdue_list": {"en": "Overdue payments ({n})", "zh": "逾期回款（{n}）"},
    "sc.no_overdue": {"en": "Nothing overdue.", "zh": "没有逾期回款。"},
    "sc.days_late": {"en": "days late", "zh": "天逾期"},
    "sc.back": {"en": "← Scorecard", "zh": "← 记分卡"},
    "sc.print_hint": {
        "en": "Print with Ctrl+P: the page prints without the app's chrome.",
        "zh": "按 Ctrl+P 打印（打印时不含导航栏）。",
    },
    "sc.tb_title": {"en": "Sales task book · {name} ({code})", "zh": "销售任务书 · {name}（{code}）"},
    "sc.tb_targets": {"en": "1. Output targets", "zh": "一、产出指标"},
    "sc.tb_accounts": {"en": "2. Target accounts ({n})", "zh": "二、目标客户（{n}）"},
    "sc.tb_conditions": {"en": "3. Working conditions", "zh": "三、工作条件"},
    "sc.tb_reward": {"en": "4. Reward formula", "zh": "四、考核激励"},
    "sc.tb_formula": {
        "en": "Pay = base salary {base} + target commission {commission} × (attainment inside each tier × its "
        "multiplier: {tiers}).",
        "zh": "薪酬 = 基本工资 {base} + 目标佣金 {commission} ×（各档内完成率 × 对应系数：{tiers}）。",
    },
    "sc.tb_now": {
        "en": "At today's attainment of {attainment} the commission is {payout}.",
        "zh": "按当前完成率 {attainment}，佣金为 {payout}。",
    },
    "sc.no_taskbook": {"en": "No task book for this period.", "zh": "本期没有销售任务书。"},
    "sc.period": {"en": "Period", "zh": "期间"},
    "account.not_found": {"en": "No account {code} that you may see.", "zh": "没有您可查看的客户 {code}。"},
    "account.key": {"en": "TOP key account", "zh": "重点客户"},
    "account.years": {"en": "BP, bookings and SOW over the years", "zh": "历年采购量、签约额与覆盖深度"},
    "account.contacts": {"en": "Contacts by decision role", "zh": "联系人（按决策角色）"},
    "account.role.decision_maker": {"en": "Decision makers", "zh": "决策者"},
    "account.role.policy_maker": {"en": "Policy makers", "zh": "政策制定者"},
    "account.role.influencer": {"en": "Influencers", "zh": "影响者"},
    "account.role.end_user": {"en": "End users", "zh": "最终用户"},
    "account.opportunities": {"en": "Opportunities", "zh": "商机"},
    "account.visits": {"en": "Visits", "zh": "拜访记录"},
    "account.payments": {"en": "Payments due", "zh": "待回款"},
    "account.none": {"en": "None.", "zh": "无。"},
    "account.overdue": {"en": "overdue", "zh": "逾期"},
    "visit.status.planned": {"en": "planned", "zh": "计划"},
    "visit.status.done": {"en": "done", "zh": "已完成"},
    "account.col.status": {"en": "Status", "zh": "状态"},
    "account.col.closed": {"en": "Closed", "zh": "关闭日期"},
    "account.col.date": {"en": "Date", "zh": "日期"},
    "account.col.kind": {"en": "Kind", "zh": "类型"},
    "account.col.rep": {"en": "Rep", "zh": "销售"},
    "account.col.contact": {"en": "Contact", "zh": "联系人"},
    "account.col.purpose": {"en": "Purpose / outcome", "zh": "目的 / 结果"},
    "account.col.contract": {"en": "Contract", "zh": "合同"},
    "account.col.milestone": {"en": "Milestone", "zh": "节点"},
    "account.col.due": {"en": "Due", "zh": "到期日"},
    "account.col.open_amount": {"en": "Still to collect", "zh": "待收金额"},
    # overview
    "overview.title": {"en": "Overview", "zh": "总览"},
    "overview.subtitle": {"en": "{period}, as of {today}", "zh": "{period}，截至 {today}"},
    "kpi.bookings": {"en": "Bookings", "zh": "签约额"},
    "kpi.bookings_sub": {"en": "of quota {target}", "zh": "任务 {target}"},
    "kpi.attainment": {"en": "Attainment", "zh": "任务完成率"},
    "kpi.attainment_sub": {"en": "{elapsed} of the period elapsed", "zh": "期间已过 {elapsed}"},
    "kpi.gm_attainment": {"en": "GM attainment {value}", "zh": "毛利完成率 {value}"},
    "kpi.open_pipeline": {"en": "Open pipeline", "zh": "在途商机"},
    "kpi.open_pipeline_sub": {"en": "{count} open opportunities", "zh": "{count} 个在途商机"},
    "kpi.weighted_pipeline": {"en": "Weighted pipeline", "zh": "加权商机"},
    "kpi.weighted_pipeline_sub": {"en": "amount × level probability", "zh": "金额 × 阶段赢率"},
    "kpi.v_value": {"en": "V value", "zh": "V值"},
    "kpi.v_value_sub": {"en": "required {required}", "zh": "所需 {required}"},
    "kpi.v_gap": {"en": "required {required} · gap {gap}", "zh": "所需 {required} · 差距 {gap}"},
    "kpi.quota_met": {"en": "Quota met", "zh": "任务已完成"},
    "funnel.v_inputs": {
        "en": "pipeline due {due} / remaining quota {remaining}",
        "zh": "期内到期商机 {due} / 剩余任务 {remaining}",
    },
    "kpi.no_quota": {"en": "No quota", "zh": "未设任务"},
    "kpi.win_rate": {"en": "Win rate", "zh": "赢率"},
    "kpi.win_rate_sub": {
        "en": "{won} won / {lost} lost; by amount {amount}",
        "zh": "赢 {won} / 输 {lost}；按金额 {amount}",
    },
    "kpi.overdue": {"en": "Overdue collections", "zh": "逾期回款"},
    "kpi.overdue_sub": {"en": "{count} payments; >90 days {over90}", "zh": "{count} 笔；超90天 {over90}"},
    "overview.empty": {
        "en": "No data in scope yet. Import your workbook or run `salesradar demo`.",
        "zh": "当前范围内暂无数据。请导入表格或运行 `salesradar demo`。",
    },
    # funnel levels (domain brief, "Opportunity management")
    "level.1": {"en": "1 Identified", "zh": "1 确定"},
    "level.2": {"en": "2 Contacted", "zh": "2 接触"},
    "level.3": {"en": "3 Qualified", "zh": "3 有资格的"},
    "level.4": {"en": "4 Developed", "zh": "4 已经发展的"},
    "level.5": {"en": "5 Committed", "zh": "5 已经承诺的"},
    "level.6": {"en": "6 Cash collected", "zh": "6 安全收回全款"},
    "overview.pipeline_chart": {"en": "Open pipeline by level", "zh": "在途商机（按阶段）"},
    "overview.aging": {"en": "Overdue by age (days)", "zh": "逾期账龄（天）"},
    # sign-in
    "login.title": {"en": "Sign in", "zh": "登录"},
    "login.username": {"en": "Username", "zh": "用户名"},
    "login.password": {"en": "Password", "zh": "密码"},
    "login.submit": {"en": "Sign in", "zh": "登录"},
    "login.failed": {"en": "Wrong username or password.", "zh": "用户名或密码错误。"},
    "login.locked": {
        "en": "Too many failed attempts: this account is locked for a while. Try again later.",
        "zh": "失败次数过多，账户已暂时锁定，请稍后再试。",
    },
    "login.expired": {"en": "The form expired; please sign in again.", "zh": "表单已过期，请重新登录。"},
    "nav.logout": {"en": "Sign out", "zh": "退出"},
    "role.director": {"en": "Director", "zh": "销售总监"},
    "role.manager": {"en": "Manager", "zh": "销售经理"},
    "role.rep": {"en": "Rep", "zh": "销售代表"},
    # import
    "nav.import": {"en": "Import", "zh": "数据导入"},
    "import.title": {"en": "Import data", "zh": "数据导入"},
    "import.subtitle": {
        "en": "Drop last week's workbook: see what will change, then confirm. Nothing is written until you do.",
        "zh": "上传上周的表格：先预览将发生的变化，确认后才写入。",
    },
    "import.drop": {
        "en": "Drop an .xlsx, .zip or .csv file here, or click to choose",
        "zh": "将 .xlsx、.zip 或 .csv 文件拖到此处，或点击选择",
    },
    "import.as_of": {"en": "Date of level changes (as of)", "zh": "阶段变化日期（截至）"},
    "import.template": {"en": "Download the template", "zh": "下载导入模板"},
    "import.export": {"en": "Export all data", "zh": "导出全部数据"},
    "import.forbidden": {"en": "Only directors and managers import data.", "zh": "仅销售总监和经理可以导入数据。"},
    "import.preview": {"en": "Preview of {file}", "zh": "{file} 预览"},
    "import.sheet": {"en": "Sheet", "zh": "工作表"},
    "import.created": {"en": "New", "zh": "新增"},
    "import.updated": {"en": "Changed", "zh": "更新"},
    "import.unchanged": {"en": "Unchanged", "zh": "不变"},
    "import.ok": {"en": "The file is valid. Confirm to import it.", "zh": "文件校验通过，确认后导入。"},
    "import.problems": {
        "en": "{n} problem(s): nothing will be written until they are fixed.",
        "zh": "发现 {n} 个问题：修正之前不会写入任何数据。",
    },
    "import.row": {"en": "Row", "zh": "行"},
    "import.column": {"en": "Column", "zh": "列"},
    "import.value": {"en": "Value", "zh": "值"},
    "import.problem": {"en": "Problem", "zh": "问题"},
    "import.more": {"en": "… and {n} more in the error report", "zh": "……另有 {n} 个，见错误报告"},
    "import.errors_download": {"en": "Download the error report", "zh": "下载错误报告"},
    "import.confirm": {"en": "Confirm import", "zh": "确认导入"},
    "import.running": {"en": "Importing: {step}", "zh": "正在导入：{step}"},
    "import.done": {"en": "Imported. The dashboards show the new data.", "zh": "导入完成，各页面已显示新数据。"},
    "import.failed": {
        "en": "The import failed and wrote nothing: {message}",
        "zh": "导入失败，未写入任何数据：{message}",
    },
    "import.mapping": {"en": "Map the columns of your file", "zh": "映射文件中的列"},
    "import.mapping_help": {
        "en": "These tabs or columns match no field of the data dictionary. Pick what each one means.",
        "zh": "以下工作表或列与数据字典不匹配，请为每一项选择对应字段。",
    },
    "import.map_tab": {"en": "Tab {tab} is the sheet", "zh": "工作表 {tab} 对应"},
    "import.ignore": {"en": "(leave out)", "zh": "（不导入）"},
    "import.remember": {"en": "Remember this mapping for next time", "zh": "记住此映射，下次自动使用"},
    "import.apply_mapping": {"en": "Apply the mapping", "zh": "应用映射"},
    "import.history": {"en": "Import history", "zh": "导入记录"},
    "import.when": {"en": "When", "zh": "时间"},
    "import.who": {"en": "Who", "zh": "操作人"},
    "import.file": {"en": "File", "zh": "文件"},
    "import.status": {"en": "Status", "zh": "状态"},
    "import.bad_upload": {"en": "Could not take this file: {message}", "zh": "无法接收此文件：{message}"},
    "table.csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "table.xlsx": {"en": "Download Excel", "zh": "下载 Excel"},
    # funnel
    "funnel.title": {"en": "Funnel", "zh": "商机漏斗"},
    "funnel.subtitle": {
        "en": "{period}: open pipeline and what moved since {since}",
        "zh": "{period}：在途商机，以及自 {since} 以来的变化",
    },
    "funnel.by_level": {"en": "Open pipeline by level", "zh": "在途商机（按阶段）"},
    "funnel.movement": {"en": "Pipeline movement, {start} → {end}", "zh": "商机变化，{start} → {end}"},
    "funnel.since": {"en": "Movement since", "zh": "变化起始日"},
    "move.start": {"en": "Start", "zh": "期初"},
    "move.end": {"en": "End", "zh": "期末"},
    "move.new": {"en": "New", "zh": "新增"},
    "move.increased": {"en": "Increased", "zh": "金额增加"},
    "move.decreased": {"en": "Decreased", "zh": "金额减少"},
    "move.won": {"en": "Won", "zh": "赢单"},
    "move.lost": {"en": "Lost", "zh": "输单"},
    "move.pushed_out": {"en": "Pushed out of period", "zh": "推迟出本期"},
    "move.advanced": {"en": "Advanced a level", "zh": "阶段推进"},
    "move.moved_back": {"en": "Moved back", "zh": "阶段后退"},
    "move.slipped": {"en": "Close date slipped", "zh": "预计成交日推迟"},
    "move.none": {"en": "Nothing moved in these days.", "zh": "这段时间没有变化。"},
    "col.opp": {"en": "Opportunity", "zh": "商机"},
    "col.account": {"en": "Account", "zh": "客户"},
    "col.owner": {"en": "Owner", "zh": "负责销售"},
    "col.level": {"en": "Level", "zh": "阶段"},
    "col.amount": {"en": "Amount", "zh": "金额"},
    "col.expected_close": {"en": "Expected close", "zh": "预计成交"},
    "funnel.health": {
        "en": "Funnel health (deals that entered each level in the last 12 months)",
        "zh": "漏斗健康度（近12个月进入各阶段的商机）",
    },
    "funnel.col_level": {"en": "Level", "zh": "阶段"},
    "funnel.col_entered": {"en": "Entered", "zh": "进入数"},
    "funnel.col_next": {"en": "→ next level", "zh": "→ 下一阶段"},
    "funnel.col_won": {"en": "→ won", "zh": "→ 赢单"},
    "funnel.col_days": {"en": "Avg. days at level", "zh": "平均停留天数"},
    "funnel.col_configured": {"en": "Configured p", "zh": "设定赢率"},
    "funnel.col_observed": {"en": "Observed win rate", "zh": "实际赢率"},
    "funnel.little_history": {"en": "too little history ({n} closed)", "zh": "历史数据不足（{n} 个已关闭）"},
    "funnel.stalled": {
        "en": "Stalled: no level change for more than {days} days",
        "zh": "停滞：超过 {days} 天未变化阶段",
    },
    "funnel.col_idle": {"en": "Days idle", "zh": "停滞天数"},
    "stage.5w": {"en": "5 Won, collecting", "zh": "5 已签约回款中"},
    "funnel.chart": {
        "en": "Six levels to cash (click a level for its deals)",
        "zh": "六个阶段直至回款（点击阶段查看商机）",
    },
    "funnel.measure.count": {"en": "Count", "zh": "数量"},
    "funnel.measure.amount": {"en": "Amount", "zh": "金额"},
    "funnel.measure.weighted": {"en": "Weighted", "zh": "加权"},
    "funnel.next_rate": {"en": "→ {rate}", "zh": "→ {rate}"},
    "funnel.stage_list": {"en": "Deals at {stage} ({n})", "zh": "{stage} 的商机（{n}）"},
    "col.created": {"en": "Created", "zh": "创建日期"},
    # opportunity page; entry conditions from the domain brief ("Opportunity management")
    "opp.not_found": {"en": "No opportunity {code} that you may see.", "zh": "没有您可查看的商机 {code}。"},
    "opp.history": {"en": "Stage history", "zh": "阶段记录"},
    "opp.conditions": {"en": "Entry conditions of each level", "zh": "各阶段的进入条件"},
    "opp.at_level": {"en": "At level {level} for {days} days", "zh": "已在第 {level} 阶段 {days} 天"},
    "opp.status.open": {"en": "open", "zh": "进行中"},
    "opp.status.won": {"en": "won", "zh": "赢单"},
    "opp.status.lost": {"en": "lost", "zh": "输单"},
    "opp.entered": {"en": "Entered", "zh": "进入日期"},
    "opp.days": {"en": "Days at level", "zh": "停留天数"},
    "cond.1": {
        "en": "Contacted; key people and org structure identified; need understood; visit booked.",
        "zh": "已接触，收集信息，确定关键人物与组织结构；了解需求与现状；预约拜访。",
    },
    "cond.2": {
        "en": "All decision makers, policy makers, influencers and end users identified and involved; "
        "key need and a possible solution confirmed; meetings recorded.",
        "zh": "确定并引入所有决策者、政策制定者、影响者与最终用户；确认关键需求与可能的方案；记录每次会谈。",
    },
    "cond.3": {
        "en": '"I can solve the customer\'s need": need, benefit, solution, financial capacity, '
        "delivery timeline and installation plan agreed.",
        "zh": "“我能解决客户需求”：需求、客户收益、解决方案、财务能力、交付与安装计划均已确认。",
    },
    "cond.4": {
        "en": "Customer reviewed our proposal, challenged it in a meeting, and approved our quote.",
        "zh": "客户已审阅我方方案/设计，召开质询会议，并认可我方报价。",
    },
    "cond.5": {
        "en": "Customer says we are the best; financial and technical terms agreed; supplier chosen; contract signed.",
        "zh": "客户认为我方最佳；双方同意财务与技术条款；客户已选定供应商；签订合同。",
    },
    "cond.6": {
        "en": "Final acceptance passed; progress payments collected, up to the retention money.",
        "zh": "项目或产品通过最终验收；收回进度款直至质保金。",
    },
    "review.enter": {"en": "Weekly review (projector)", "zh": "周会模式（投影）"},
    "review.exit": {"en": "Leave the review", "zh": "退出周会模式"},
    "review.title": {"en": "Weekly review · {name} ({code})", "zh": "周会回顾 · {name}（{code}）"},
    "review.position": {"en": "Rep {i} of {n} · since {since}", "zh": "第 {i}/{n} 位 · 自 {since}"},
    "review.prev": {"en": "◀ Previous", "zh": "◀ 上一位"},
    "review.next": {"en": "Next ▶", "zh": "下一位 ▶"},
    "review.deals": {"en": "This week's deals", "zh": "本周商机"},
    "review.no_reps": {"en": "No rep to review in your scope.", "zh": "您的范围内没有可回顾的销售。"},
    # 404
    "404.title": {"en": "Page not found", "zh": "页面不存在"},
    "404.body": {"en": "There is no page at this address.", "zh": "此地址没有页面。"},
    "404.back": {"en": "Back to the overview", "zh": "返回总览"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = TRANSLATIONS[key][lang if lang in LANGS else "en"]
    return text.format(**values) if values else text


def current_lang() -> str:
    """The viewer's language for this request (cookie, then Accept-Language, then the configured default)."""
    if not has_request_context():
        return "zh"
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return str(chosen)
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"])
    if best:
        return "zh" if best.startswith("zh") else "en"
    return str(current_app.config.get("SALESRADAR_DEFAULT_LANG", "zh"))
