"""The words the demo data is made of: regions and their cities, industries and the kinds of customer in each,
company brands, product lines, competitors, reasons won and lost, people's names, titles and departments."""

from __future__ import annotations

REGIONS = ("华北", "华东", "华南", "西部")
CITIES = {
    "华北": ("北京", "天津", "石家庄", "太原", "济南"),
    "华东": ("上海", "杭州", "南京", "苏州", "合肥"),
    "华南": ("广州", "深圳", "厦门", "南宁", "福州"),
    "西部": ("成都", "重庆", "西安", "昆明", "兰州"),
}
INDUSTRIES = {
    "金融": ("银行", "证券", "保险", "信托"),
    "政府": ("政务服务中心", "大数据局", "税务局", "公安局"),
    "制造": ("汽车", "电子", "重工", "精密机械"),
    "能源": ("电力", "石化", "燃气", "新能源"),
    "医疗": ("人民医院", "中心医院", "医药集团", "妇幼保健院"),
    "教育": ("大学", "职业学院", "实验中学", "教育集团"),
    "交通": ("地铁", "机场集团", "港务集团", "高速公路"),
    "零售": ("百货", "连锁超市", "商贸集团", "电商"),
}
BRANDS = ("华信", "中诚", "东方", "长城", "恒通", "新世纪", "宏远", "金桥", "瑞丰", "鼎盛", "天成", "广联")
PRODUCT_LINES = ("网络设备", "统一通信", "数据中心", "信息安全", "云服务", "运维服务")
COMPETITORS = ("华为", "新华三", "中兴", "锐捷", "思科", "浪潮")
LOSS_REASONS = ("价格偏高", "技术方案不满足", "客户关系不足", "预算取消", "竞争对手低价", "交付周期过长")
WIN_REASONS = ("技术方案领先", "价格优势", "客户关系", "服务口碑", "交付能力")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玲辉鹏飞宇欣怡浩然子涵晨阳思远"
TITLES = ("信息中心主任", "CIO", "采购经理", "网络工程师", "总经理", "财务总监", "运维主管", "副总裁")
DEPARTMENTS = ("信息中心", "采购部", "财务部", "运维部", "总经办", "技术部")
PURPOSES = ("需求沟通", "方案交流", "商务谈判", "技术交流", "项目回访", "高层拜访", "了解组织架构", "了解年度预算")
OUTCOMES = (
    "确认需求，约定方案交流",
    "客户认可方案，待报价",
    "获悉新项目线索",
    "引荐了采购负责人",
    "客户预算待批复",
    "需要技术支持演示",
    "客户暂无新需求",
)
#: kind of customer event, how often a team holds it (weight)
EVENT_MIX = (
    ("dinner_6a2r", 30),
    ("vip_event", 20),
    ("exec_roundtable", 15),
    ("seminar", 20),
    ("service_month", 5),
    ("partner_event", 10),
)
EVENT_NAMES = {
    "dinner_6a2r": "客户答谢晚宴（6A+2R）",
    "vip_event": "VIP客户活动",
    "exec_roundtable": "高层圆桌会",
    "seminar": "技术研讨会",
    "service_month": "服务月",
    "partner_event": "伙伴联合活动",
}
#: cost range of each kind of event, CNY
EVENT_COST = {
    "dinner_6a2r": (15_000, 40_000),
    "vip_event": (30_000, 80_000),
    "exec_roundtable": (20_000, 50_000),
    "seminar": (10_000, 30_000),
    "service_month": (5_000, 20_000),
    "partner_event": (10_000, 40_000),
}
#: course, kind, hours
COURSES = (
    ("数据中心产品培训", "product", 8.0),
    ("统一通信新品发布", "product", 4.0),
    ("信息安全解决方案", "technical", 12.0),
    ("云服务架构基础", "technical", 16.0),
    ("顾问式销售", "sales_method", 8.0),
    ("大客户管理与RAD分析", "sales_method", 6.0),
    ("商务谈判技巧", "sales_method", 6.0),
    ("合规与反腐败", "compliance", 2.0),
)
#: the price list (价格表) per product line: name, list price (CNY), unit cost as a share of it. The first of each
#: line is its service by the day (人天), on every quote of two lines or more; its half days make a quote's total
#: meet the deal's amount.
PRODUCTS = {
    "网络设备": (
        ("网络安装调试服务（人天）", 1_800, 0.56),
        ("核心交换机", 260_000, 0.74),
        ("汇聚交换机", 68_000, 0.70),
        ("接入交换机（48口）", 9_800, 0.64),
        ("企业级无线AP", 3_600, 0.60),
        ("网络管理软件许可", 85_000, 0.57),
    ),
    "统一通信": (
        ("统一通信实施服务（人天）", 2_000, 0.57),
        ("高清视频会议终端", 38_000, 0.70),
        ("MCU多点控制单元", 320_000, 0.76),
        ("IP话机", 1_600, 0.64),
        ("统一通信平台许可", 150_000, 0.58),
    ),
    "数据中心": (
        ("数据中心集成服务（人天）", 2_200, 0.57),
        ("机架式服务器", 72_000, 0.78),
        ("全闪存储阵列", 480_000, 0.75),
        ("超融合一体机", 360_000, 0.70),
        ("机柜及配电单元", 26_000, 0.66),
        ("备份一体机", 190_000, 0.60),
    ),
    "信息安全": (
        ("安全服务（人天）", 2_500, 0.55),
        ("下一代防火墙", 128_000, 0.68),
        ("入侵防御系统", 96_000, 0.66),
        ("安全态势感知平台", 560_000, 0.62),
        ("终端安全许可（点）", 280, 0.58),
        ("运维审计堡垒机", 72_000, 0.72),
    ),
    "云服务": (
        ("云迁移服务（人天）", 2_400, 0.57),
        ("私有云平台许可（节点）", 45_000, 0.60),
        ("云主机年度订阅（台）", 9_600, 0.72),
        ("对象存储年度订阅（TB）", 4_800, 0.78),
        ("异地容灾服务（年）", 210_000, 0.68),
    ),
    "运维服务": (
        ("驻场工程师服务（人天）", 1_600, 0.62),
        ("年度维保服务", 120_000, 0.60),
        ("季度巡检服务", 32_000, 0.66),
        ("7x24应急响应服务（年）", 86_000, 0.70),
        ("运维管理平台许可", 160_000, 0.56),
    ),
}
#: why a manager let a line go below its margin floor (审批说明)
APPROVAL_NOTES = (
    "战略客户首单突破，特价审批",
    "竞争对手低价，经理特批",
    "年度框架采购，量大从优",
    "样板工程，后续扩容可补回毛利",
    "客户预算受限，保项目",
    "老客户续约，维护关系",
)
#: what a rep writes when approving their own line
SELF_APPROVAL_NOTES = ("客户催单，先报后补审批", "经理出差，本人先行确认", None)
#: tender names (标案名称): {a} the account, {p} the product line, {y} the year
TENDERS = (
    "{a}{p}项目公开招标",
    "{a}{y}年度{p}采购项目",
    "{a}{p}建设项目（二期）招标",
    "{a}{p}扩容项目竞争性磋商",
    "{a}{p}升级改造项目询价",
    "{a}{p}单一来源采购",
)
#: kind of technical support request, how often it is asked for (weight), hours it takes
SUPPORT_MIX = (
    ("demo", 30, (2.0, 8.0)),
    ("solution_design", 30, (8.0, 40.0)),
    ("poc", 10, (24.0, 80.0)),
    ("site_survey", 15, (4.0, 16.0)),
    ("consulting", 15, (2.0, 16.0)),
)
