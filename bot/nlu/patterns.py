"""The cue patterns of the deterministic understanding step (``bot.nlu.rules``), English and Chinese:
ids, emails, addresses, and the words that signal each intent. Data, not logic: ``rules`` decides."""

from __future__ import annotations

import re

ORDER_ID = re.compile(r"#?\s?W\s?(\d{7})(?!\d)", re.IGNORECASE)
# ASCII only: "账户邮箱是ava@example.com" is Chinese words before an address, not part of it.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
NAME_ZIP_EN = re.compile(
    r"(?:i am|i'm|\bim|my name is|this is|name is|name:|name's)\s+([A-Za-z][\w'-]*)\s+([A-Za-z][\w'-]*)\b.*?(?:zip|postal|postcode)?\D{0,20}?(\d{5,6})\b",
    re.IGNORECASE | re.DOTALL,
)
# A message that is only a name and a zip code: "Lena Kowalski 60614", "Omar Haddad, zip 33101".
NAME_ZIP_BARE = re.compile(r"^\s*([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)[\s,，]+(?:(?:zip|postal|post)(?: ?code)?[:：\s]*|邮编[:：是\s]*)?(\d{5,6})[\s.。!]*$")
NAME_ZIP_ZH = re.compile(r"(?:我是|我叫|姓名|名字|名叫)[^A-Za-z\d\n]{0,6}?([A-Za-z][A-Za-z'-]*)\s+([A-Za-z][A-Za-z'-]*).*?(?:邮编|邮政编码|zip)[:：是为\s]*(\d{5,6})",
                         re.DOTALL | re.IGNORECASE)
US_ADDRESS = re.compile(
    r"(?<![\w#])(?P<address1>\d{1,6}\s[^,\n]+?),\s*(?:(?P<address2>(?:apt|apartment|suite|unit|#)[^,\n]*?),\s*)?"
    r"(?P<city>[A-Za-z][A-Za-z .'-]+?),\s*(?P<state>[A-Z]{2}),?\s+(?P<zip>\d{5})(?:,?\s*(?P<country>USA|U\.S\.A\.|US|United States|China|Canada|Mexico)\b)?",
    re.IGNORECASE,
)

HUMAN = re.compile(r"转人工|人工客服|找人工|人工服务|真人|human|real person|actual person|a person|representative|\b(?:real|live|human) agent\b|transfer me|live agent|speak to (?:an? )?(?:agent|someone)|talk to (?:an? )?(?:agent|someone|person)", re.IGNORECASE)
CANCEL = re.compile(r"\bcancel(?:led|ed|ling|ing)?\b|取消|撤销|撤单", re.IGNORECASE)
RETURN = re.compile(r"\breturn(?:ing)?\b|\brefund\b|\bmoney back\b|\bsend (?:it |them |this |these )?back\b|退货|退款|退掉|退回|寄回|要退|想退|都退|退了|退一下|把.{1,16}?退", re.IGNORECASE)
EXCHANGE = re.compile(r"\bexchange\b|\bswap\b|\bswitch\b|\bchang(?:e|ed|ing)\b.{0,40}?\b(?:to|for|into)\b|\bdifferent (?:size|colou?r)\b|"
                      r"\b(?:could|can|may) (?:i|we) (?:have|get) (?:the|a|an)\b.{0,30}?\b(?:version|one|ones|size|model)\b|"
                      r"换货|换成|换个|换一个|换一件|换一双|换一台|换一款|想换|要换|改成", re.IGNORECASE)
ADDRESS = re.compile(r"\baddress\b|\b(?:ship|send|deliver) (?:it |them )?to\b|地址|寄到|送到|发到|寄往", re.IGNORECASE)
# The account's default address, not an order's: "change my default address", "把账户里的默认收货地址改一下".
DEFAULT_ADDRESS = re.compile(r"\bdefault (?:shipping |delivery )?address\b|\baccount(?:'s)? address\b|\baddress on (?:file|my account)\b|"
                             r"默认(?:收货)?地址|账[户号].{0,6}地址|\bprofile\b.{0,30}\baddress\b|\baccount\b.{0,20}\baddress\b|个人资料.{0,3}地址|\bprofile(?:'s)? address\b|\baddress on (?:my )?profile\b|\bsaved address\b", re.IGNORECASE)
CHANGE = re.compile(r"\bchange\b|\bupdate\b|\bmodify\b|\bset\b|\bnew\b|\bfix(?:ing|ed)?\b|\bcorrect\b|\bwrong\b|修改|改|更新|换", re.IGNORECASE)
STATUS = re.compile(r"status|where(?:'s| is)|track|arrive|deliver|shipped|到哪|物流|状态|发货|快递|进度|查询|订单(?!号)|什么时候(?:能)?到|多久(?:能)?到|到了吗|送到了", re.IGNORECASE)
MY_ORDERS = re.compile(
    r"(?:shop|store)(?:'s)? orders|orders (?:of|in|for) my (?:shop|store)|店铺.{0,8}订单|店里.{0,8}订单|"
    r"my (?:recent |last |latest )?(?:orders|purchases)|\b(?:purchase|order) history\b|list (?:my )?orders|购买记录|历史订单|我的物流|物流信息|orders (?:do |did |have )?i (?:have|placed|made|got)|"
    r"what (?:did |have )?i (?:order|ordered|buy|bought)|所有订单|我的订单|订单列表|我(?:都|最近)?买(?:了|过)(?:什么|哪些)|我(?:都|最近)?下(?:过|了)(?:哪些|什么|几)",
    re.IGNORECASE,
)
# Questions about the assistant itself, asked before a request for a human is looked for: "Are you
# a human?" is a question, "I want a human" a request.
ABOUT_THE_BOT = re.compile(
    r"\bare you (?:an? )?(?:bot|robot|ai|human|real|person|machine)\b|\bwho are you\b|\bam i (?:talking|chatting|speaking) (?:to|with)\b|"
    r"你是(?:不是)?(?:机器人|真人|人工|ai|谁)|你们是(?:不是)?机器人|是机器人吗|是真人吗",
    re.IGNORECASE,
)
CONTACT = re.compile(
    r"\bcontact (?:customer )?(?:support|service|you|us)\b|\breach (?:customer )?(?:support|service|you)\b|customer (?:service|support) "
    r"(?:phone|number|email|hours)|\byour (?:phone|telephone) number\b|联系客服|客服电话|客服热线|客服邮箱|怎么联系(?:你们|客服)|联系方式",
    re.IGNORECASE,
)
# A message that is only a greeting, a thanks or a goodbye: answered in kind, not searched for.
_SMALL_TALK_END = r"[\s!！.。,，~～?？:)）😊🙏呀啊哈呢哦嘛]*(?:亲+|亲爱的)?[\s!！.。,，~～?？)）😊🙏呀啊哈呢哦]*$"
# Taobao-style address before small talk: "亲，在吗", "亲亲 你好".
_SMALL_TALK_START = r"^\s*(?:亲+|亲爱的)?[\s,，~～]*"
SMALL_TALK = {
    "greeting": re.compile(_SMALL_TALK_START + r"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|你好|您好|嗨|哈喽|hello呀|在吗|在不在|有人吗|早上好|早安|上午好|下午好|晚上好)(?: there)?"
                           + _SMALL_TALK_END, re.IGNORECASE),
    "thanks": re.compile(_SMALL_TALK_START + r"(?:(?:ok(?:ay)?|great|perfect|好的)[\s,，!！.。]*)?(?:thanks?(?: (?:you|a lot|so much))?|thank you(?: very much| so much)?|thx|ty|"
                         r"many thanks|cheers|谢谢(?:你|您)?(?:啦|了)?|多谢|感谢|辛苦了)(?:[\s,，!！.。]*(?:问题|事情)?(?:已经)?(?:解决|搞定|清楚|明白)了)?(?:[\s,，!！.。]*(?:that was|that's|you've been|you were) (?:really |very |so )?(?:helpful|great|useful))?" + _SMALL_TALK_END, re.IGNORECASE),
    "goodbye": re.compile(_SMALL_TALK_START + r"(?:(?:ok(?:ay)?|alright|好的|好)[\s,，!！.。]*)?(?:bye|goodbye|good bye|see you|再见|拜拜|bye bye|that'?s all(?: for (?:now|today))?(?:[\s,，!.]*have a (?:nice|good|great) day)?|that is all|have a (?:nice|good|great) day|没事了|没有了)(?:[\s,，!！.。]*(?:没(?:有)?(?:别的|其他)(?:的)?(?:事|问题)了?|就这些|没事了))?" + _SMALL_TALK_END, re.IGNORECASE),
}
REASON_NO_LONGER = re.compile(r"no longer (?:need|want)|don'?t (?:need|want)|do not (?:need|want)|not needed|changed my mind|won'?t (?:be )?(?:using|need(?:ing)?)|not going to use|"
                              r"不再需要|不需要|不要了|不想要|用不上|用不到|不用了|改主意|已经有(?:一|了)|家里有了", re.IGNORECASE)
REASON_MISTAKE = re.compile(r"by mistake|mistaken|accident|wrong(?:ly)? order|\b(?:picked|chose|ordered|bought|got|clicked|selected) the wrong\b|\bdidn'?t mean to (?:order|buy)|ordered (?:it )?twice|duplicate order|买错|下错|拍错|点错|误购|误下单|误拍|不小心|拍了两次|重复下单|多拍|拍重", re.IGNORECASE)
GIFT_CARD = re.compile(r"gift ?card|礼品卡", re.IGNORECASE)
ORDER_NOUN = re.compile(r"\borders?\b|\bpackages?\b|\bparcels?\b|\bshipments?\b|\bmy (?:stuff|things)\b|订单|包裹|下的单|单子|(?:我的|买的)东西|多少单|几单", re.IGNORECASE)
# "Where is my order?" is about the buyer's own orders; "How long after shipping does an order
# arrive?" (订单发货后多久能到？) is about the rule. A first-person order wins over a question form.
OWN_ORDER = re.compile(r"\bmy\b|\bmine\b|\bi (?:ordered|bought|placed|purchased)\b|\bthis order\b|这单|这个订单|我的|我(?:买|下|订)的|我买了|我下了|我.{0,8}(?:下|买)的|我.{0,8}的(?:那个)?订单", re.IGNORECASE)
RULE_QUESTION = re.compile(
    r"\bcan (?:i|you|we|an?)\b|\bhow (?:long|much|many|do|does|can|soon)\b|\bwhat (?:is|are|if|happens)\b|\bis it possible\b|"
    r"\bdo you\b|\bwhere does\b|\bwhat (?:payment|ways?|methods?)\b|多久|多长时间|能不能|可不可以|可以吗|能.{0,8}吗|怎么|如何|是什么|一般|支持(?:哪些|什么)|有哪些方式",
    re.IGNORECASE,
)
TRACKING_NUMBER = re.compile(r"\btracking\b|快递单号|物流单号|运单号|单号", re.IGNORECASE)
# Which orders a merchant asks about: "pending orders", "待发货订单" (values as stored).
ORDER_STATES = {
    "pending": re.compile(r"\bpending\b|\bnot (?:yet )?(?:been )?(?:processed|handled|dealt with)\b|\bunprocessed\b|没(?:有)?处理|未处理|\b(?:waiting|yet|still need\w*) (?:to be )?ship|\bnot (?:yet )?shipped\b|\bunshipped\b|\bawaiting shipment\b|待发货|未发货|待处理|还没发|没发货", re.IGNORECASE),
    "processed": re.compile(r"\bprocessed\b|\bshipped\b|已发货|已处理", re.IGNORECASE),
    "delivered": re.compile(r"\bdelivered\b|已送达|已签收", re.IGNORECASE),
    "cancelled": re.compile(r"\bcancell?ed\b|已取消|被(?:买家)?取消|取消了|取消的", re.IGNORECASE),
    "return requested": re.compile(r"\breturns?\b|退货", re.IGNORECASE),
    "exchange requested": re.compile(r"\bexchanges?\b|换货", re.IGNORECASE),
}
# Asking for an action, not about the rule: "I want to cancel my order", not "Can I cancel an order?".
WANTS = re.compile(r"\bi (?:want|need|would like|'d like|wanna) to\b|\bplease\b|\bhelp me\b|我想|我要|帮我|请帮|麻烦", re.IGNORECASE)


# ---- slots beyond ids (bot.nlu.rules)

PAYMENT_CHANGE = re.compile(r"\buse (?:my |the )?(?:\w+ ){0,2}(?:card|paypal)\b|\b(?:to|with|via|through) (?:my |the )?(?:paypal|gift ?card|credit ?card)\b|\bpay(?:ing)?\b.{0,30}?\b(?:with|by|using|via)\b|\binstead of (?:my |the )?(?:paypal|gift ?card|credit ?card|card)\b|\bpayment method\b|\bpay(?:ing)? (?:it )?(?:with|by|using)\b|\bcharge (?:it )?to\b|\bpayment\b|支付方式|付款方式|"
                            r"改用.{0,6}(?:支付|付款)|(?:改成|换成|改用|换用)(?:用)?\s*(?:信用卡|银行卡|礼品卡|pay ?pal|贝宝)|(?:别|不要|不)用.{0,3}(?:信用卡|银行卡|礼品卡|pay ?pal|贝宝)|用.{0,10}(?:支付|付款|付吧|付钱)|刷.{0,4}卡|换.{0,4}(?:支付|付款)方式", re.IGNORECASE)  # fmt: skip
PAYPAL = re.compile(r"pay ?pal|贝宝", re.IGNORECASE)
CREDIT_CARD = re.compile(r"credit ?card|\bcard ending\b|\bvisa\b|\bmaster ?card\b|\bamex\b|信用卡|银行卡", re.IGNORECASE)
ORIGINAL_PAYMENT = re.compile(r"original (?:payment|method|card)|same (?:card|payment|method)|\bback to (?:my )?(?:card|original)|原路|原支付|原来的(?:支付|付款|卡)",
                              re.IGNORECASE)  # fmt: skip
ALL_ITEMS = re.compile(r"(?<!that's )(?<!that is )(?<!thats )\beverything\b(?! else)|\ball (?:of )?(?:the |my )?(?:items|things|of it|of them)\b|\ball items\b|\bthe whole order\b|\bentire order\b|"
                       r"\ball\b(?= (?:except|but)\b)|全部|所有(?:商品|东西)|都退|整个订单|整单", re.IGNORECASE)  # fmt: skip
EXCEPT = re.compile(r"\bexcept(?: for)?\b|\bbut not\b|\bother than\b|\bapart from\b|\bexcluding\b|\bbesides\b|除了|除去|以外|之外", re.IGNORECASE)
OTHER = re.compile(r"\bthe other (?:one|order|item)\b|\bthe other\b|\banother order\b|\bnot (?:this|that) (?:one|order)\b|另一个|另外一个|另一单|另一笔", re.IGNORECASE)
CORRECTION = re.compile(r"^\s*(?:(?:no|nope|not that|sorry|actually|oops|wait|i mean|i meant)\b[\s,.!]*)+|^\s*(?:不对|不是|错了|搞错了|我说错了|说错了|不好意思|抱歉)[\s,，。!！]*",
                        re.IGNORECASE)  # fmt: skip
# Where the bought item's description ends and what is wanted instead starts: "the black one *for* a blue one".
DIRECTION = re.compile(r"\b(?:for|to|into|with)\b|\binstead\b|\b(?:could|can|may) (?:i|we) (?:have|get)\b|换成|改成|换为|改为|换一个|换个|换到|想要|要换", re.IGNORECASE)
REFERS_TO_IT = re.compile(r"^\s*那(?:就|么)?(?=取消|退|换|改)|\bit\b|\bthat (?:one|order)\b|\b(?:this|that|the) (?:whole |entire )?order\b|这个订单|这单|该订单|整个订单|整单|它|这个", re.IGNORECASE)
# Modifying a pending order's items, said as a change rather than an exchange.
MODIFY_ITEMS = re.compile(r"\bmake (?:it|them|that|this) (?:a |an )?\w+|\bmake (?:the|my) [\w -]{2,30}? (?:a|an|in)\b|\b(?:change|changed|modify|update|switch|swap)\b.{0,60}?\b(?:to|for|into)\b|\binstead\b|换成|改成|换为|改为|换一个|换个", re.IGNORECASE)
# Words that may follow a yes without making it conditional: "Yes, I confirm, please go ahead."
YES_WORDS = frozenset(
    """yes y yeah yep yup sure ok okay alright confirm confirmed confirming i do it please go ahead proceed that's right correct
    sounds good fine absolutely definitely of course thats thanks thank you that is right exactly perfect great do so let's lets
    is are all good works me for with it's just now ahead yes and process submit place this that everything that's""" 
    .split()
)  # fmt: skip
YES_START = re.compile(r"^\s*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|alright|confirm(?:ed)?|i confirm|go ahead|please (?:do|go ahead|proceed)|do it|proceed|"
                       r"that'?s (?:right|correct)|correct|sounds good|absolutely|of course|definitely)\b", re.IGNORECASE)  # fmt: skip
YES_ZH = re.compile(r"^\s*(?:是的?|对的?|好的?|好吧|可以|确认|确定|没问题|没错|行|嗯+|同意|办吧|就这样|就这么办|请继续|继续|提交吧)"
                    r"(?:[\s,，。！!]*(?:是的?|对的?|好的?|可以|确认(?:无误)?|确定|没问题|没错|行|请继续|继续|办吧|就这样|就这么(?:办|定)|谢谢|麻烦了|提交吧?|(?:信息)?都对|都没问题|请(?:帮我)?(?:办理|处理|执行)|吧|呀|啊|的))*[\s。！!~～]*$")  # fmt: skip
NO_START = re.compile(r"^\s*(?:no|n|nope|nah|don'?t|do not|cancel that|stop|never ?mind|wait|hold on)\b|^\s*(?:不|不要|不用|不是|算了|取消操作|等等|先别|先不|别)",
                      re.IGNORECASE)  # fmt: skip
# Hesitation before the answer: "hmm no, don't", "well… ok", "呃，不用了".
FILLER = re.compile(r"^\s*(?:(?:hmm+|hm+|um+|uh+|erm+|well|oh|ah|so|actually|呃+|额+|嗯+|唔+)[\s,，.…。]+)+", re.IGNORECASE)
# After a "no": words that only decline ("no, leave it as it is", "No thanks, I'll keep the order").
DECLINE_REST = re.compile(r"leave it|\bkeep\b|as it is|\bhold off\b|\bfor now\b|\bnot yet\b|\bthanks?\b|thank you|never ?mind|don'?t|do not|forget it|not now|不用|不要|算了|先不|保持|不改|不换", re.IGNORECASE)
# An item the buyer keeps: "return the boots but keep the backpack", "背包留着".
KEEP = re.compile(r"\bkeep(?:ing)?\b|留着|留下|不退|保留|还要用|还在用|要留", re.IGNORECASE)
WANT_VERB = re.compile(r"\bwant\b|\bneed\b|\bprefer\b|\brather\b|\bshould be\b|要|想要", re.IGNORECASE)
# "不要防水的", "not the RGB one": the thing itself is refused (its other values are fine).
REFUSE_THING = re.compile(r"不要|不想要|\bnot (?:the|a|an)\b|\bdon'?t want\b|\bno (?:more )?(?:the )?\w+ ones?\b", re.IGNORECASE)
SHOP = re.compile(r"\b(?:my|our) (?:shop|store)\b|\bwe (?:get|got|have|had|sold)\b|店铺|店里|本店|我的店", re.IGNORECASE)
# An order action said as an order: "just cancel it", "return them".
IMPERATIVE = re.compile(r"\b(?:cancel|return|exchange|refund) (?:it|them|this|that|the order|everything)\b", re.IGNORECASE)
# An item named to set it apart from the one meant: "return the puzzle, not the skateboard", "不是背包".
NOT_THIS_ITEM = re.compile(r"(?:\bnot (?:the|my)|\brather than (?:the|my)?|而不是|不是)\s*$", re.IGNORECASE)
# A rule asked as a hypothetical, even with "my" in it: "if I paid with a gift card, where does my refund go?"
HYPOTHETICAL = re.compile(r"^\s*(?:if|what if|suppose|say)\b|如果|假如|要是", re.IGNORECASE)
# A message with an order id or an email is read by the rules alone: its intent is never guessed.
NAMES_AN_ID = re.compile(r"#?\s?W\s?\d{7}|[\w.+-]+@[\w-]+\.", re.IGNORECASE)

# ---- pre-sales: questions about the catalogue, not about an order
PRODUCT_ASK = re.compile(
    r"\b(?:do|does|did) (?:you|u|ya|y'all)(?: guys)? (?:have|sell|carry|stock|offer)\b|\bhave you got\b|\bgot any\b|\bany\b.{0,40}\b(?:in stock|available|for sale)\b|"
    r"\b(?:in stock|back in stock|available in|come in|comes in)\b|\blooking for\b|\bshopping for\b|\bi(?:'m| am) after\b|\brecommend|\bsuggest|"
    r"\bwhat (?:\w+ ){0,2}(?:should|can|could) i (?:get|buy|use)\b|\b(?:i|we) (?:need|want) (?:a|an|some|something)\b|\bwant to buy\b|\bthinking of buying\b|"
    r"\bneed something\b|\bwhat do you have\b|\bwhat (?:kinds?|types?) of\b|\bhow much (?:is|are|does|do) (?:the|a|an|your)\b|\bprice of\b|"
    r"^\s*(?:i\s+|we\s+)?(?:need|want|looking)\b|\bneed (?:a|an|some|something)\b|\bgift (?:ideas?|for)\b|\bsomething (?:to|that|for|she|he|i|we|they)\b|"
    r"\bwhat (?:can|should|could) i\b|想给.{1,8}买|给.{1,6}买(?:个|点|一|件|套)|"
    r"有没有|有卖|有货|卖不卖|卖吗|有吗|还有.{0,8}(?:吗|没)|想买|想要(?:个|一|件|款|双|套|块|把|台|只|顶|副)|求推荐|推荐|需要买|买(?:个|点|什么|啥|哪)|该(?:买|穿|用)(?:啥|什么)|"
    r"多少钱|什么价|价格|几块钱|有(?:哪些|什么)(?:款|型号|颜色|尺码)",
    re.IGNORECASE,
)
PRODUCT_COMPARE = re.compile(r"\bdifferences? between\b|\bcompare\b|\bcomparison\b|\bvs\.?\b|\bversus\b|\bwhich (?:one )?(?:is|should i)\b.{0,30}\b(?:better|get|buy|pick)\b|"
                             r"区别|对比|比较|哪个好|哪个更|有什么不同|有啥不同|不一样在哪", re.IGNORECASE)  # fmt: skip
PRODUCT_ALTERNATIVE = re.compile(r"\bsimilar\b|\balternatives?\b|\bsomething like\b|\banything like\b|\bcheaper\b|\bless expensive\b|\bother (?:options|models|ones)\b|"
                                 r"类似|替代|差不多的|便宜(?:一)?点|更便宜|别的款|其他款|其他的款|同类", re.IGNORECASE)  # fmt: skip
PRICE_CAP = re.compile(r"(?:under|below|less than|cheaper than|up to|within|max(?:imum)?|at most|no more than|budget(?: is| of| around| about)?|around|about)\s*(?:us)?\$\s?(\d+(?:\.\d+)?)|"
                       r"\$\s?(\d+(?:\.\d+)?)\s*(?:or less|max|tops|budget)|(\d+(?:\.\d+)?)\s*(?:美元|美金|刀|块|元)?\s*(?:以内|以下|之内|以下的)", re.IGNORECASE)  # fmt: skip
# Questions about the shop's rules, not its products ("do you have free shipping?", "有没有运费险"): answered from the policy.
POLICY_TOPIC = re.compile(r"\b(?:shipping|delivery|delivered|deliver|express|ship|returns?|refunds?|exchanges?|warranty|guarantee|policy|policies|payment|pay|discount|coupon|"
                          r"promo|membership|points|account|store hours|hours|customer service|track(?:ing)?)\b|运费|包邮|邮费|快递|发货|配送|退货|退款|换货|保修|质保|"
                          r"售后|政策|规定|优惠|折扣|优惠券|会员|积分|付款|支付|账户|营业时间|客服", re.IGNORECASE)  # fmt: skip
CHEAPER = re.compile(r"\bcheaper\b|\bless expensive\b|\blower price\b|便宜|低一点的价|价格低", re.IGNORECASE)
# With a product named, plainer asking is enough: "有水杯吗？", "any yoga mats?", "the desk lamp, how much?".
PRODUCT_ASK_NAMED = re.compile(r"\b(?:cheapest|most expensive|priciest|least expensive)\b|\bavailable\b|\bwhat are (?:its|the) options\b|最便宜|最贵|有[^，,。？?！!]{1,12}吗|\bany\b|\bhow much\b|\bprice\b|\bcost\b|\bstock\b|\bsell\b|多少钱|贵不贵|还有吗|有吗", re.IGNORECASE)
# A message about something already bought: "my order", "I bought", "这单" (not just any "my": "my dog sheds").
OWN_PURCHASE = re.compile(r"\bi (?:ordered|bought|placed|purchased|received|got)\b|\bthis order\b|\bmy (?:order|purchase|package|parcel|delivery|item)s?\b|"
                          r"这单|这个订单|我(?:买|下|订)的|我买了|我下了|我.{0,8}的(?:那个)?订单|收到的", re.IGNORECASE)  # fmt: skip
# Asking for a person, not a product ("I need to speak with somebody from your staff").
PEOPLE = re.compile(r"\b(?:speak|talk|chat) (?:with|to)\b|\bsomebody\b|\bsomeone\b|\bstaff\b|\bagent\b|\bperson\b|\bmanager\b|\bsupervisor\b", re.IGNORECASE)

# ---- a merchant's questions about its shop (read only for a merchant principal)
SHOP_COPY = re.compile(r"\bcopy\b|\bdescription\b|\bmarketing\b|\bslogan\b|\bblurb\b|\bwrite (?:a|an|me|some|the)\b|\bselling points?\b|"
                       r"文案|描述|写一段|写个|写一份|卖点|宣传语|商品介绍|详情页", re.IGNORECASE)  # fmt: skip
SHOP_REVIEWS = re.compile(r"\breviews?\b|\bratings?\b|\bfeedback\b|\bsentiment\b|\bcomplain(?:t|ts|ing)?\b|\bpraise[sd]?\b|"
                          r"\bwhat (?:do |are )?(?:buyers|customers|people) (?:say|think|saying)\b|评价|评论|差评|好评|口碑|买家(?:怎么说|反馈|说)|吐槽|抱怨", re.IGNORECASE)  # fmt: skip
SHOP_STOCK = re.compile(r"\bstock\b|\binventory\b|\bsold out\b|\bavailability\b|\brun(?:ning)? out\b|库存|缺货|断货|卖完|没货|有货|补货", re.IGNORECASE)
SHOP_SUMMARY = re.compile(r"\brevenue\b|\bsales\b|\bturnover\b|\bearn(?:ed|ings)?\b|\bbest[- ]?sell\w*\b|\btop (?:products|sellers|items|variants)\b|"
                          r"\bselling (?:best|well|most)\b|\bsells? (?:best|most)\b|\bneeds? (?:my )?(?:action|attention)\b|\bhow is my (?:shop|store) doing\b|"
                          r"营业额|销售额|收入|卖了多少钱|赚了|畅销|卖得最好|卖得好|爆款|需要我处理|要处理什么|经营情况", re.IGNORECASE)  # fmt: skip
# An overview of the shop, unless it is of its orders ("an overview of all orders" lists them: shop_orders).
SHOP_OVERVIEW = re.compile(r"\bsummary\b|\boverview\b|概况|总结|汇总", re.IGNORECASE)
COPY_ZH = re.compile(r"中文|汉语|\bin chinese\b|\bchinese\b", re.IGNORECASE)
COPY_EN = re.compile(r"英文|英语|\bin english\b|\benglish\b", re.IGNORECASE)
TONE = {"playful": re.compile(r"\bplayful\b|\bfun\b|\bcute\b|活泼|俏皮|有趣", re.IGNORECASE),
        "professional": re.compile(r"\bprofessional\b|\bformal\b|正式|专业", re.IGNORECASE),
        "friendly": re.compile(r"\bfriendly\b|\bwarm\b|亲切|温暖|友好", re.IGNORECASE)}  # fmt: skip

# ---- dialogue acts: a question about what is possible, or a request to act (issue 23)
# "Can I pay for my order with two cards?", "How long after a cancellation do I get my money back?",
# "地址填错了还能改吗？": about the rule, answered from the knowledge base without verifying anyone,
# even with "my" in them. "Can you cancel my order?", "please…", "帮我…" ask for the action itself.
GENERAL_QUESTION = re.compile(
    r"\b(?:can|could|may|do|must|should) (?:i|we|you guys)\b(?! (?:please|pls)\b)|\bis it possible\b|\bam i (?:able|allowed)\b|\bare (?:we|customers|buyers) allowed\b|"
    r"\bhow (?:long|much|many|soon|fast|quickly|do|does|can|is|are|will|would)\b|\bwhat (?:happens|if|is|are|do|does|kind|options|ways?)\b|\bwhen (?:do|does|will|can|is|are|would)\b|"
    r"\b(?:is|are) there\b|\bwhich\b|\bwhy (?:do|does|is|are)\b|\bdo you\b|\bwill i\b|\bwould i\b|"
    r"能不能|能否|可不可以|可以.{0,16}吗|能.{0,16}吗|行不行|多久|多长时间|几天|怎么|如何|是否|会不会|要不要|有没有|是什么|是多少|哪些|什么时候|几点|吗[?？!！]?\s*$|呢[?？]?\s*$",
    re.IGNORECASE,
)
# Asking for the action: "can you cancel it?", "please change…", "I want to return…", "帮我取消".
REQUEST_CUE = re.compile(
    r"\b(?:can|could|would|will) (?:you|u)\b(?! (?:tell|explain|let me know|say)\b)(?! (?:ship|deliver|send)\b[^.?]{0,30}\bto (?:a|an|any)\b)|\bplease\b|\bpls\b|\bplz\b|\bhelp me\b|\bi (?:want|need|would like|'d like|wanna) (?:you )?to (?!know|ask|understand|check (?:if|whether))|"
    r"\bi want (?:a|an|my)\b|\bgo ahead\b|^\s*(?:cancel|return|refund|exchange|change|update|modify|swap|switch|track|check)\b|"
    r"帮我|帮忙|请帮|麻烦|给我|我要(?!问|知道|了解)|我想(?!问|知道|了解|咨询)|直接|立即|马上|(?<!问|说|解|询|看)一下(?!政策|规定)",
    re.IGNORECASE,
)
# A question about a specific order's state needs its records, not the policy: "where is my order?",
# "has my package shipped?", "我的快递到哪了？", "怎么还没到".
OWN_STATUS = re.compile(
    r"\bwhere(?:'s| is| are)\b|\bhas (?:my|it|the)\b.{0,30}\b(?:shipped|arrived|been)\b|\b(?:is|are) my\b.{0,30}\b(?:shipped|delivered|on (?:its|the) way|coming)\b|"
    r"\bwhen will my\b.{0,30}\b(?:arrive|come|ship|get here|be delivered)\b|\bstatus of my\b|\bmy tracking\b|\btrack my\b|"
    r"\bwhat (?:did|have) i (?:buy|bought|order|ordered|purchase|purchased)\b|\bhow many orders (?:do|did|have) i\b|\b(?:this|that|the other) order\b|"
    r"\borders (?:do |did |have )?i (?:have|placed|made|got)\b|\bmy (?:recent |last |latest )?(?:orders|purchases)\b|\b(?:purchase|order) history\b|"
    r"到哪|怎么还没|还没到|到了吗|发货了吗|发了吗|什么时候(?:能)?到|什么时候发货|物流(?:信息|到哪)|查一下我的|我的.{0,6}(?:状态|进度|单号)|"
    r"我(?:都|一共|最近)?(?:买|下|订)(?:过|了)(?:什么|哪些|几)|那个订单|那单|这单|这个订单|那笔",
    re.IGNORECASE,
)
# Complaints and frustration: an apology and a human (issue 23). A damaged item alone is a question
# the policy answers ("my lamp arrived broken, what can I do?"); anger about it is a complaint.
COMPLAINT = re.compile(
    r"\bworst\b|\bterrible\b|\bawful\b|\bhorrible\b|\bridiculous\b|\bunacceptable\b|\bdisgrace\w*\b|\bdisgust\w*\b|\bfurious\b|\bso angry\b|\bi'?m angry\b|"
    r"\b(?:very|really|so|extremely|deeply) (?:disappointed|upset|unhappy|frustrated|annoyed)\b|\bfed up\b|\bsick (?:and tired )?of\b|\bscam\w*\b|\brip[- ]?off\b|\buseless\b|"
    r"\bpathetic\b|\bincompetent\b|\bnever (?:again|shop(?:ping)? here)\b|\bwaste of (?:time|money)\b|"
    r"太差|很差|真差|差劲|垃圾|气死|失望|无语|受够|坑人|骗子|骗人|什么破|破(?:店|平台|东西)|太离谱|离谱|恶心|态度(?:太)?(?:差|恶劣)|过分|不像话|搞什么|怎么回事[!！]|生气|愤怒|差评",
    re.IGNORECASE,
)
# The word itself: a complaint unless it is asked about ("how long does a complaint take?").
COMPLAIN_WORD = re.compile(r"\bcomplain\w*\b|\bcomplaint\b|投诉|举报", re.IGNORECASE)
# Contact details asked for: answered from the knowledge base, not with the fixed "you are talking to us".
CONTACT_DETAIL = re.compile(r"\bphone\b|\bnumber\b|\bemail\b|\be-mail\b|\bhours\b|\baddress\b|电话|号码|邮箱|时间|几点|热线", re.IGNORECASE)
# About the human agents, not a request for one: "when are your human agents available?", "人工客服几点上班？"
HUMAN_INFO = re.compile(
    r"\bwhen (?:are|is|do|can)\b|\bwhat (?:time|hours)\b|\b(?:opening|working|business|service|agent|support) hours\b|\bhours\b|\bavailable (?:on|at|during|every)\b|"
    r"\bon (?:weekends|sundays|holidays)\b|几点|什么时候|时间|上班|下班|周末|节假日",
    re.IGNORECASE,
)
# Who the people behind the chat are, for questions about them ("人工课服几点有人").
STAFF = re.compile(r"人工|客服|\bagents?\b|\bhumans?\b|\bperson\b|\bpeople\b|\bstaff\b|\bsomeone\b|\bsupport\b|\bcustomer service\b", re.IGNORECASE)
# Picking one of the offered choices: "the first one", "2", "第一个", "选二".
ORDINAL = re.compile(
    r"^\s*(?:(?:the|number|no\.?|option|#|选|选择|就|要)\s*)?(?P<word>1|2|3|4|5|first|second|third|fourth|fifth|last|一|二|两|三|四|五|第一|第二|第三|第四|第五|最后)"
    r"\s*(?:st|nd|rd|th)?\s*(?:one|option|reason|choice|个|种|项|条|吧|号)?(?:\s*(?:one|please|个|吧|呀|的))?[\s.。!！]*$",
    re.IGNORECASE,
)
ORDINALS = {"1": 0, "first": 0, "一": 0, "第一": 0, "2": 1, "second": 1, "二": 1, "两": 1, "第二": 1, "3": 2, "third": 2, "三": 2, "第三": 2,
            "4": 3, "fourth": 3, "四": 3, "第四": 3, "5": 4, "fifth": 4, "五": 4, "第五": 4, "last": -1, "最后": -1}  # fmt: skip
# A name the buyer gives for themselves: never "repaired" as a misspelt word ("I'm Wei Huang": not "human").
NAME_INTRO = re.compile(r"(?:\bi am|\bi'm|\bim|\bmy name is|\bmy name's|\bthis is|\bname is|\bname:|\bname's|我叫|我是|名字(?:是|叫)?[:：]?|姓名[:：是]?)\s*"
                        r"(?P<name>[A-Za-zÀ-ÿ][\w'’.-]*(?:\s+[A-Za-zÀ-ÿ][\w'’.-]*){0,2})", re.IGNORECASE)  # fmt: skip
# A reason of the buyer's own, outside the policy's two: "I found it cheaper elsewhere", "因为太贵了".
OTHER_REASON = re.compile(r"\bbecause\b|\bsince\b|\breason\b|\bcheaper\b|\bfound (?:it|one|a)\b|\bdon'?t like\b|\btoo (?:late|slow|long|expensive|big|small)\b|"
                          r"\btaking (?:too|so) long\b|\bno longer\b|因为|原因|便宜|太贵|太慢|太久|不喜欢|不想等", re.IGNORECASE)  # fmt: skip
# A question whether something is possible, and the actions the bot can then offer to do.
ASKS_POSSIBLE = re.compile(r"\b(?:can|could|may) (?:i|we)\b|\bis it (?:still )?possible\b|\bam i (?:able|allowed)\b|能不能|能否|可不可以|可以.{0,16}吗|能.{0,16}吗|还能", re.IGNORECASE)
OFFERABLE = {
    "cancel": CANCEL,
    "return": re.compile(r"\breturn\b|\bsend (?:it|them) back\b|退货|退掉|退回", re.IGNORECASE),
    "exchange": re.compile(r"\bexchange\b|\bswap\b|换货|换成|换个|换一", re.IGNORECASE),
    "modify_address": re.compile(r"\b(?:change|update|fix|correct|edit)\b.{0,25}\baddress\b|\baddress\b.{0,25}\b(?:changed|updated|wrong)\b|改.{0,6}地址|地址.{0,8}改", re.IGNORECASE),
    "modify_payment": re.compile(r"\b(?:change|switch|update)\b.{0,25}\bpayment\b|(?:改|换).{0,6}(?:支付|付款)方式", re.IGNORECASE),
}
