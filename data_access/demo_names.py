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
