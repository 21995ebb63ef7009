"""The words and shapes of postal addresses that the address readers share (``bot.nlu.addresses``,
``bot.nlu.regions``): zip codes by country, house numbers, street and unit words, Chinese address
words, the polite tails a buyer adds ("…, thanks"), and the forms of an answer that gives one or
two fields on their own."""

from __future__ import annotations

import re

FIELDS = ("address1", "address2", "city", "state", "zip", "country")
ASK_ORDER = ("address1", "city", "state", "zip", "country")

# --- shapes ---------------------------------------------------------------------------------------

# A postal code written in Latin text: ZIP+4, UK, Canadian, digits with a hyphen (JP 150-0002,
# PL 00-950, PT 1000-001, or a mistyped US 78701-12), a ZIP+4 written with a space, or a run of
# digits. Taken whole: the checks against the country come later, so "7870" or "2001200" stays
# what it is and is reported.
ZIP = (r"(?<![\w-])(?:\d{5}-\d{4}|\d{5} \d{4}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{2,5}-\d{2,4}|\d{3,10})(?![\w-])")
ZIP_TOKEN = re.compile(ZIP, re.IGNORECASE)
ZIP_LABEL = r"(?:(?:zip(?:\s*code)?|postal\s*code|post\s*code|postcode)\b|邮编|邮政编码)"
ZIP_LABEL_TAIL = re.compile(r"[\s,]*" + ZIP_LABEL + r"\s*(?:is|:|：)?\s*$", re.IGNORECASE)  # "…, zip 78701"
# "75001 Paris", "10117 Berlin", "1012 NX Amsterdam", "114 55 Stockholm", "00-950 Warszawa": a zip before the city.
ZIP_FIRST = re.compile(r"^(?P<zip>\d{4}\s?[A-Z]{2}(?=\s)|\d{3}\s\d{2}(?=\s)|\d{4}-\d{3}|\d{2}-\d{3}|\d{4,5})\s+(?P<city>[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*)$")
SHAPES = {
    "USA": (re.compile(r"\d{5}(?:-\d{4})?"), "a US zip code has 5 digits (or 5+4, like 78701-1234)"),
    "China": (re.compile(r"\d{6}"), "a Chinese postal code has 6 digits"),
}
ANY_ZIP = (re.compile(r"(?=.*\d)[A-Za-z0-9][A-Za-z0-9 -]{1,8}[A-Za-z0-9]"), "a postal code has 3 to 10 letters and digits")

# A house number that starts a street: "12 Oak St", "221B Baker Street", "1-2-3 Shibuya".
HOUSE_NUMBER = re.compile(r"(?<![\w#/.-])\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)*\s+(?=[^\W\d_])|\bP\.?\s?O\.?\s+Box\s+(?=\d)", re.IGNORECASE)
# The house number after the street, then "zip city": "Unter den Linden 77, 10117 Berlin", "Hauptstraße 5a, 80331 München".
NUMBER_LAST = re.compile(r"(?<![\w-])(?P<street>[A-ZÀ-Ý][^\W\d_]+(?:[ .'-]+(?:[A-ZÀ-Ý][^\W\d_]*|den|der|des|dem|de|la|le|del|di|da|van|von|am|an|im|in))*"
                          r"\.?\s\d{1,5}[A-Za-z]?)\s*[,，]\s*(?=\d{2,5}(?:[ -]?(?:\d{2,3}|[A-Z]{2}))?\s+[^\W\d_])")
# …and, without a country, a street named like one: "Hauptstraße 5a", "Kalverstraat 1", "Via Roma 3".
STREET_WORD = re.compile(r"(?:stra(?:ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|laan|straat|gracht|plein|kade|vej|gade|gatan|gata|vägen|väg|veien|"
                          r"gränd|torget|katu|tie)\b|\b(?:via|viale|piazza|corso|calle|avenida|rua|ulica|utca|rue|avenue|boulevard|place|chemin|unter)\b", re.IGNORECASE)
UNIT_BEFORE = re.compile(r"(?:^|(?<=[\s:：]))(?P<unit>(?:(?:apt|apartment|suite|ste|unit|flat|room|rm)\b\.?|#)\s*#?\s*[\w-]+)\s*[,，]\s*$", re.IGNORECASE)
CODE = re.compile(r"[A-Za-z]{2,3}\.?")
HARD_STOP = re.compile(r"[\n;!?。！？；]")
COMMA = re.compile(r"[,，、]")
UNIT = re.compile(r"^(?:(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|level|lvl|bldg|building|block|dept|tower)\b\.?|#)\s*#?\s*[\w-]+"
                   r"(?:\s+(?:(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl)\b\.?|#)\s*#?\s*[\w-]+)*$|^\d+(?:st|nd|rd|th)\s+floor$", re.IGNORECASE)
UNIT_IN_STREET = re.compile(r"\s(?P<unit>(?:(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|bldg|building)\b\.?|#)\s*#?\s*[\w-]+.*)$", re.IGNORECASE)
PLACE = re.compile(r"^[^\W\d_][^\W\d_.'’-]*(?:[ .'’-]+[^\W\d_]+)*\.?$")
CHAT_WORDS = re.compile(r"^(?:thanks?(?: you)?(?: so much| a lot)?|thx|ty|please|pls|plz|asap|ok(?:ay)?|cheers|bye|regards|sorry|and|or|then)$",
                         re.IGNORECASE)
POLITE_TAIL = re.compile(r"(?:[\s,.]+(?:please|pls|plz|thanks?(?: you)?|thx|ty|asap|ok))+[\s.!]*$|[\s.!]+$", re.IGNORECASE)
STREET_SUFFIX = re.compile(r"\b(?:st|street|ave|avenue|rd|road|blvd|boulevard|ln|lane|dr|drive|way|ct|court|pl|place|ter|terrace|pkwy|parkway|"
                            r"hwy|highway|sq|square|cir|circle|trl|trail|loop|row|crescent|cres|close|mews|gardens|walk|alley|plaza)\b\.?", re.IGNORECASE)

# Chinese: what makes CJK text worth handing to cpca, and the parts of the street line.
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH_ADDRESS_CUE = re.compile(r"[省市区县镇乡村路街巷弄号栋幢室]|大道|胡同|单元|小区")
ZH_STOP = re.compile(r"[，,。；;！!？?\n]|邮编|邮政编码|收件人|收货人|联系人|电话|手机|(?i:zip)|(?<!\d)\d{6}(?!\d)")
ZH_NUM = r"[0-9０-９A-Za-z一二三四五六七八九十百零]+"
ZH_UNIT = re.compile(r"(?:" + ZH_NUM + r"\s*(?:号楼|栋|幢|座|单元|楼|层|室|号房|户)\s*)+(?:[0-9A-Za-z]+\s*(?:室|号)?)?$")
ZH_STREET = re.compile(r"[\u4e00-\u9fff]{1,12}?(?:路|街|大道|巷|弄|胡同|道|村|里)\s*[0-9一二三四五六七八九十百]+\s*号")
ZH_STREETLIKE = re.compile(r"[路街道巷弄号村里园]|胡同|\d")
ZH_LEAD = re.compile(r".*(?:地址|改成|改为|换成|改到|寄到|送到|发到|寄往|送往|是|[:：])\s*", re.DOTALL)
ZH_TAIL = re.compile(r"(?:吧|啊|呢|哦|哈|了|嘛|呀|谢谢|麻烦了|的)+$")
ZH_END = re.compile(r"[\s,，。.!！]*(?:(?:吧|啊|呢|哦|哈|嘛|呀|谢谢|麻烦了)[\s,，。.!！]*)*")  # nothing more but "谢谢"
ZH_ZIP = re.compile(r"(?:邮编|邮政编码|(?i:zip(?:\s*code)?))\s*(?:[:：]|是|为|is)?\s*(?P<zip>[0-9A-Za-z-]+)|(?<![0-9A-Za-z])(?P<bare>\d{6})(?!\d)")
MUNICIPALITIES = {"北京", "北京市", "上海", "上海市", "天津", "天津市", "重庆", "重庆市", "beijing", "shanghai", "tianjin", "chongqing"}

# Partial answers: one field at a time.
FRAGMENT_ZIP = re.compile(r"^(?:(?:my|the|it'?s|its)\s+)?(?:new\s+)?" + ZIP_LABEL + r"\s*(?:is|:|：|是|为|=)?\s*"
                           r"(?P<zip>[A-Za-z0-9]+(?:[ -](?=[A-Za-z]*\d)[A-Za-z0-9]+)?)(?:\s+[^\d]*)?$", re.IGNORECASE)  # "zip 78701", "postcode NW1 6XE"
FRAGMENT_LABELLED = re.compile(r"^(?:(?:my|the|it'?s|its)\s+)?(?P<label>(?:country|state|province|city|town)\b|国家|省份?|城市)\s*(?:is|:|：|是|为|=)?\s*(?P<value>.+?)$",
                                re.IGNORECASE)
FRAGMENT_IN = re.compile(r"^(?:(?:it'?s|it is|that'?s|that is|this is|we'?re|i'?m|they'?re)\s+)?(?:in\s+|to\s+)?(?P<value>.+?)$", re.IGNORECASE)
FRAGMENT_CITY_STATE = re.compile(r"^(?P<city>[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*)\s*,\s*(?P<state>[A-Za-z]{2})(?:\s+(?P<zip>" + ZIP + r"))?$",
                                  re.IGNORECASE)
FRAGMENT_LEAD = re.compile(r"^(?:(?:oh|ok(?:ay)?|sorry|yes|yeah|sure|right|and|also|oops)\b[\s,]*)+(?:it'?s|it is|that'?s|that is)?\s*|^(?:it'?s|it is|that'?s|that is)\s+(?=\d)|^(?:哦|好的|对|抱歉|不好意思)[\s,，]*", re.IGNORECASE)
