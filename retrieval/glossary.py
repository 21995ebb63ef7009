"""A bilingual glossary of shop customer-service words, for cross-lingual lexical search.

The packaged embedding model is English-only, so nothing else connects a Chinese question with an
English policy (or the reverse). Dictionary-based query translation is the classic remedy: the
query's words that the glossary knows are replaced by their equivalents in the other language, and
BM25 searches the other language's chunks with them. It is deliberately small and about one
domain (orders, payment, delivery, after-sales, invoices, promotions, membership, merchants,
privacy); a shop extends it with ``extra`` pairs. Words it does not know simply do not cross over.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from retrieval.lexical import EN_STOPWORDS, _stem, is_chinese, query_terms

# (Chinese words, English words and phrases) meaning the same in shop customer service.
Entry = tuple[tuple[str, ...], tuple[str, ...]]

GLOSSARY: tuple[Entry, ...] = (
    # orders and their states
    (("订单", "下单", "一单"), ("order",)),
    (("商品", "货品", "东西", "宝贝"), ("item", "product")),
    (("取消",), ("cancel", "cancellation")),
    (("待处理",), ("pending",)),
    (("已发货", "发货", "发出", "寄出"), ("ship", "shipped", "dispatch")),
    (("已送达", "送达", "签收", "收货", "收到"), ("delivered", "delivery", "receive")),
    (("修改", "更改", "改"), ("change", "modify")),
    (("规格", "尺码", "颜色", "款式"), ("option", "size", "colour", "color")),
    (("缺货", "没货", "无货", "售罄"), ("out of stock", "sold out")),
    (("补货", "到货"), ("restock", "back in stock")),
    (("未付款", "没付款", "忘了付款"), ("unpaid",)),
    (("自动关闭",), ("automatically closed", "cancelled automatically")),
    (("理由", "原因"), ("reason",)),
    (("部分", "其中一件", "单独"), ("part", "single item")),
    # payment
    (("支付", "付款", "付钱", "支付方式"), ("payment", "pay", "payment method")),
    (("扣款", "扣钱", "扣费", "收费"), ("charge", "charged")),
    (("重复扣款", "扣了两次", "多扣"), ("duplicate charge", "charged twice")),
    (("信用卡",), ("credit card",)),
    (("借记卡", "银行卡"), ("debit card", "bank card")),
    (("礼品卡",), ("gift card",)),
    (("余额",), ("balance",)),
    (("货到付款",), ("cash on delivery",)),
    (("银行转账", "转账"), ("bank transfer",)),
    (("分期", "分期付款"), ("installment", "installments")),
    (("免息",), ("interest-free", "interest free")),
    (("预授权",), ("authorization", "pre-authorization")),
    (("支付宝",), ("alipay",)),
    (("微信", "微信支付"), ("wechat", "wechat pay")),
    (("安全",), ("security", "secure")),
    (("过期", "有效期", "失效"), ("expire", "expiry", "valid", "validity")),
    # delivery
    (("配送", "物流", "快递", "运输"), ("shipping", "delivery", "courier")),
    (("运费", "邮费"), ("shipping fee", "shipping cost", "postage")),
    (("包邮", "免运费", "免邮"), ("free shipping",)),
    (("门槛", "满"), ("threshold", "minimum")),
    (("加急", "加急配送", "特快"), ("express",)),
    (("标准配送", "普通快递"), ("standard shipping",)),
    (("工作日",), ("business day", "business days")),
    (("天内", "几天", "多少天", "多久"), ("days", "how long")),
    (("小时",), ("hour", "hours")),
    (("一周", "星期", "一个星期"), ("week", "7 days")),
    (("个月", "月份", "每月"), ("month", "monthly")),
    (("一年", "两年", "每年"), ("year",)),
    (("物流单号", "运单号", "快递单号"), ("tracking number",)),
    (("查询物流", "跟踪", "追踪"), ("tracking", "track")),
    (("收货地址", "地址"), ("shipping address", "address")),
    (("国际", "国外", "海外", "境外"), ("international", "abroad", "overseas")),
    (("国内",), ("domestic",)),
    (("关税", "进口税"), ("import duties", "customs", "duty")),
    (("税费", "税"), ("tax", "taxes")),
    (("大件", "家具"), ("bulky", "furniture")),
    (("书桌", "桌子"), ("desk", "table")),
    (("上门", "搬进", "入户"), ("room of choice", "carry in", "in-home")),
    (("安装",), ("assembly", "install")),
    (("延误", "延迟", "晚到"), ("late", "delay", "delayed")),
    (("丢件", "丢失", "丢了"), ("lost",)),
    (("破损", "损坏", "碎了", "坏了"), ("damaged", "broken")),
    (("包裹",), ("package", "parcel")),
    (("邮政信箱",), ("p.o. box", "po box")),
    (("拆分", "拆单"), ("split", "separate orders")),
    # returns, refunds, exchanges
    (("退货", "退回", "寄回", "退"), ("return",)),
    (("退款", "退钱", "退回的钱"), ("refund",)),
    (("到账",), ("arrive", "reach your account")),
    (("即时", "马上", "立即", "立刻"), ("immediate", "immediately", "instant")),
    (("原支付方式", "原路退回"), ("original payment method",)),
    (("验货", "检查"), ("inspection", "inspect")),
    (("无理由", "不想要", "不喜欢"), ("changed my mind", "change of mind", "no reason")),
    (("质量问题", "瑕疵", "缺陷"), ("defect", "defective", "quality")),
    (("发错货", "发错"), ("wrong item",)),
    (("与描述不符",), ("not as described",)),
    (("卫生", "封条"), ("hygiene", "seal")),
    (("内衣",), ("underwear",)),
    (("泳衣",), ("swimwear", "swimsuit")),
    (("定制",), ("personalised", "personalized", "custom")),
    (("易腐", "食品"), ("perishable", "food")),
    (("换货", "换"), ("exchange",)),
    (("差价",), ("price difference", "difference")),
    (("扣除", "扣"), ("deduct", "deduction")),
    (("申诉",), ("dispute", "appeal")),
    (("使用痕迹", "用过"), ("used", "signs of use")),
    (("缺件", "配件"), ("missing parts", "accessories")),
    (("吊牌",), ("tags",)),
    (("包装",), ("packaging",)),
    (("面单",), ("label", "shipping label")),
    (("申请",), ("request", "apply")),
    # warranty
    (("保修", "质保", "保修期"), ("warranty",)),
    (("维修", "修理"), ("repair",)),
    (("更换",), ("replacement", "replace")),
    (("电子产品",), ("electronics",)),
    (("手机",), ("phone",)),
    (("电脑", "笔记本"), ("laptop", "computer")),
    (("户外", "户外装备", "帐篷"), ("outdoor", "outdoor gear", "tent")),
    (("服装", "衣服", "裙子", "外套"), ("clothing", "clothes", "apparel", "jacket")),
    (("鞋包", "鞋"), ("shoes", "bags")),
    (("水杯", "杯子", "水壶"), ("water bottle", "bottle", "cup")),
    (("进水", "防水"), ("water damage", "waterproof")),
    (("意外", "摔", "摔坏"), ("accidental", "drop")),
    (("人为损坏",), ("misuse",)),
    (("发票", "收据", "凭证"), ("invoice", "fapiao", "receipt")),
    (("厂商", "制造商"), ("manufacturer",)),
    (("延保",), ("extended warranty",)),
    # invoices
    (("开票", "开具", "开发票"), ("issue", "issued", "invoice")),
    (("电子发票",), ("electronic invoice", "e-invoice")),
    (("专票", "增值税专用发票"), ("vat special invoice", "special invoice")),
    (("普票", "普通发票"), ("general invoice",)),
    (("抬头", "公司名称", "单位名称"), ("company name", "title")),
    (("税号",), ("tax id", "tax number")),
    (("重开",), ("reissue", "reissued")),
    (("金额",), ("amount",)),
    (("报销",), ("reimbursement", "expense")),
    (("公司", "企业", "单位"), ("company", "business")),
    # coupons and promotions
    (("优惠券", "券", "满减券"), ("coupon",)),
    (("平台券",), ("platform coupon",)),
    (("店铺券",), ("shop coupon", "store coupon")),
    (("叠加", "一起用", "同时使用"), ("stack", "stacking", "combine", "together")),
    (("新人", "新用户", "新人券"), ("welcome", "new customer")),
    (("最低消费", "使用门槛"), ("minimum spend",)),
    (("价格保护", "保价", "降价"), ("price protection", "price drop", "price dropped")),
    (("秒杀", "限时秒杀"), ("flash sale",)),
    (("限购", "每人"), ("limit", "per customer")),
    (("促销", "活动", "优惠"), ("promotion", "discount")),
    (("补发",), ("reissue", "replace")),
    (("延期",), ("extend", "extension")),
    # membership and points
    (("会员",), ("member", "membership")),
    (("等级",), ("tier", "level")),
    (("黄金", "金卡"), ("gold",)),
    (("白银", "银卡"), ("silver",)),
    (("普通会员",), ("regular member", "basic")),
    (("积分",), ("points", "point")),
    (("抵扣", "抵用", "兑换"), ("redeem", "redemption")),
    (("评价", "评论"), ("review",)),
    (("图片", "照片"), ("photo", "picture")),
    (("生日",), ("birthday",)),
    (("注销", "注销账号", "注销账户", "关闭账户"), ("delete account", "close account", "deleting your account")),
    (("作废", "清零"), ("forfeited", "void")),
    # merchants
    (("商家", "卖家", "店家"), ("merchant", "seller")),
    (("店铺", "开店", "店"), ("store", "shop")),
    (("入驻",), ("onboarding", "open a store", "sell on")),
    (("审核",), ("review", "approval")),
    (("营业执照",), ("business license",)),
    (("资料", "材料"), ("documents",)),
    (("保证金",), ("security deposit", "deposit")),
    (("月费", "年费"), ("monthly fee", "fee")),
    (("佣金", "抽成", "扣点"), ("commission",)),
    (("类目", "品类"), ("category",)),
    (("结算", "打款", "回款"), ("settlement", "settled", "get paid")),
    (("提现",), ("withdraw", "payout")),
    (("标题",), ("title",)),
    (("字符",), ("characters",)),
    (("上架", "发布", "商品发布"), ("listing", "list")),
    (("禁售", "违禁"), ("prohibited",)),
    (("限售",), ("restricted",)),
    (("电池", "锂电池"), ("battery", "lithium battery")),
    (("充电宝", "移动电源"), ("power bank",)),
    (("处罚", "罚款"), ("penalty", "penalties")),
    (("违规",), ("violation",)),
    (("警告",), ("warning",)),
    (("售后",), ("after-sales", "after sales")),
    # privacy and account
    (("隐私",), ("privacy",)),
    (("个人信息", "个人数据", "信息"), ("personal data", "personal information", "data")),
    (("出售", "卖给"), ("sell", "sold")),
    (("邮箱", "电子邮件", "邮件"), ("email",)),
    (("手机号", "电话"), ("phone number", "phone")),
    (("聊天记录",), ("chat transcripts", "chat history")),
    (("保存", "保留"), ("kept", "retention", "keep")),
    (("身份验证", "确认身份", "本人"), ("identity verification", "verify identity")),
    (("账号", "账户"), ("account",)),
    (("客服", "人工"), ("customer service", "agent")),
    (("营销", "广告"), ("marketing",)),
    (("删除",), ("delete",)),
)


@dataclass(frozen=True)
class Translation:
    """A query's glossary words, carried into the other language."""

    concepts: tuple[tuple[str, ...], ...]  # per matched word: its equivalents (any one will do)
    source_coverage: float  # share of the query's content that the glossary knew, 0..1

    @property
    def text(self) -> str:
        return " ".join(word for concept in self.concepts for word in concept)

    def __bool__(self) -> bool:
        return bool(self.concepts)


def _en_key(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in re.findall(r"[a-z0-9]+", phrase.lower()))


@lru_cache(maxsize=8)
def _tables(extra: tuple[Entry, ...] = ()):
    """Glossary words (Chinese) and stemmed phrases (English) → the entries that contain them."""
    entries = GLOSSARY + extra
    zh_index: dict[str, list[int]] = {}
    en_index: dict[tuple[str, ...], list[int]] = {}
    for number, (zh_words, en_words) in enumerate(entries):
        for zh in zh_words:
            zh_index.setdefault(zh.lower(), []).append(number)
        for en in en_words:
            key = _en_key(en)
            if key:
                en_index.setdefault(key, []).append(number)
    longest_zh = max((len(k) for k in zh_index), default=1)
    longest_en = max((len(k) for k in en_index), default=1)
    return entries, zh_index, en_index, longest_zh, longest_en


def _match(query: str, extra: tuple[Entry, ...]) -> tuple[bool, list[list[int]], float]:
    """(is Chinese, the glossary entries of each matched word, share of the query matched)."""
    entries, zh_index, en_index, longest_zh, longest_en = _tables(extra)
    groups: list[list[int]] = []
    if is_chinese(query):
        text = query.lower()
        matched = [False] * len(text)
        i = 0
        while i < len(text):
            for size in range(min(longest_zh, len(text) - i), 0, -1):
                word = text[i : i + size]
                if word in zh_index:
                    groups.append(zh_index[word])
                    matched[i : i + size] = [True] * size
                    i += size
                    break
            else:
                i += 1
        content = covered = 0
        for term in query_terms(text):
            if not is_chinese(term):
                continue
            start = text.find(term)
            content += len(term)
            if start >= 0:
                covered += sum(matched[start : start + len(term)])
        return True, groups, covered / content if content else 0.0
    words = list(_en_key(query))
    content_words = [w for w in words if w not in EN_STOPWORDS]
    matched_words: set[int] = set()
    i = 0
    while i < len(words):
        for size in range(min(longest_en, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in en_index:
                groups.append(en_index[key])
                matched_words.update(range(i, i + size))
                i += size
                break
        else:
            i += 1
    covered = sum(1 for j in matched_words if words[j] not in EN_STOPWORDS)
    return False, groups, covered / len(content_words) if content_words else 0.0


def _words(entries, group: list[int], side: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for number in group for word in entries[number][side]))


def translate(query: str, extra: Iterable[Entry] = ()) -> Translation:
    """The glossary's equivalents of the query's words in the other language.

    Chinese text is scanned for the longest glossary word at each position; English text for the
    longest phrase of (stemmed) words. ``source_coverage`` is the share of the query's content
    (Chinese characters of its non-stopwords, or its English non-stopwords) inside a matched
    word, so a question the glossary barely touches cannot pass as well translated.
    """
    extra = tuple(extra)
    entries = _tables(extra)[0]
    chinese, groups, coverage = _match(query, extra)
    concepts = [_words(entries, group, 1 if chinese else 0) for group in groups]
    return Translation(tuple(dict.fromkeys(c for c in concepts if c)), round(min(coverage, 1.0), 4))


def synonyms(query: str, extra: Iterable[Entry] = ()) -> tuple[tuple[str, ...], ...]:
    """The query's glossary words with their same-language synonyms (their entries' other words).

    "钱多久能回到支付宝" and a policy saying "退款……到账" share few words; the entries of "寄回"
    and "多久" bring in "退货, 退回" and "天内, 几天", the words a policy uses.
    """
    extra = tuple(extra)
    entries = _tables(extra)[0]
    chinese, groups, _ = _match(query, extra)
    concepts = [_words(entries, group, 0 if chinese else 1) for group in groups]
    return tuple(dict.fromkeys(c for c in concepts if c))
