"""English cues of the reference resolver (the same names as ``zh.py``)."""

# Degree words next to an option's name: "the highest resolution", "more storage", "a size up".
MOST = r"\b(?:highest|most|maximum|max|biggest|largest|greatest|longest|best|top|strongest)\b"
LEAST = r"\b(?:lowest|least|minimum|min|smallest|fewest|shortest|weakest)\b"
MORE = r"\b(?:higher|more|bigger|larger|greater|longer|better|stronger|increased|up)\b"
LESS = r"\b(?:lower|less|smaller|fewer|shorter|weaker|reduced|down)\b"
# A price no higher than what was paid: "that costs no more than mine", "not more expensive".
CAP_CURRENT = (r"\b(?:no|not) (?:more|pricier|more expensive) than (?:mine|the one i (?:have|got|bought|paid for)|what i paid|my (?:current )?(?:one|\w+))\b"
               r"|\bnot (?:any )?more expensive\b|\bwithout paying more\b|\bsame price or (?:less|lower|cheaper)\b|\bat most (?:the )?(?:same|what i paid)\b")

# An exact step from the value bought: "1000 more pieces", "2 fewer inches" (the option's word follows).
BY_AMOUNT = r"\b\d+(?:\.\d+)?\s*(?:more|extra|additional|fewer|less)\b"

# Orders described by what is about them.
RECENT = r"\b(?:most recent|latest|newest|last|new|recent) (?:order|one|purchase)\b|\b(?:most recent|latest|newest)\b|\bjust (?:placed|ordered|bought|made|purchased)\b|\brecently (?:placed|ordered|bought|purchased)\b|\bi just (?:placed|ordered|bought|made|purchased)\b|\b(?:ordered|bought|placed) (?:it )?(?:just now|recently)\b"
OLDEST = r"\b(?:oldest|earliest|first) (?:order|one|purchase)\b|\bmy first order\b"
# "the order with four items", "the 3-item order"; not "I've got three things" (requests, not items).
ITEM_COUNT = r"\b(?:with|has|had|having|containing|holding|of) (?:the |just |only )?(\d+|one|two|three|four|five|six|seven|eight|nine|ten|single) (?:items?|things|products|pieces)\b|\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|single)[- ]items? order\b"
# A product said to name the order another item came in: "the backpack that came with the vacuum cleaner".
CAME_WITH = r"\b(?:came|comes|arrived|shipped|bought|got|ordered|purchased)(?: it| them)? (?:with|along with|together with|in the same order as)\s+(?:the|my|a|an)?\s*$"
# A request that holds only at some price of the product just shown: "if it's under $200, …", "if it's $200 or more, …".
PRICE_BELOW = r"\bif (?:it'?s|it is|that'?s|that is|the price is|it costs?) (?:under|below|less than|cheaper than|lower than) (?:us)?\$?\s?(\d+(?:\.\d+)?)"
PRICE_AT_LEAST = (r"\bif (?:it'?s|it is|that'?s|that is|the price is|it costs?) (?:us)?\$?\s?(\d+(?:\.\d+)?) (?:dollars |bucks )?or (?:more|above|over|higher)"
                  r"|\bif (?:it'?s|it is|that'?s|that is|it costs?) (?:over|above|more than|at least) (?:us)?\$?\s?(\d+(?:\.\d+)?)")
# The variant just shown is the one wanted: "exchange my keyboard for it", "swap mine for that one".
FOR_IT = r"\b(?:for|to|with) (?:it|that one|this one|that|the one you (?:just )?(?:showed|mentioned))\b"
# Two of the same item, each changed differently: "one … to ceramic; the other … to 1.5 liters" (the split is before the second).
ONE_OF_THEM = r"\b(?:one(?! more)(?: of them)?|the first(?: one)?)\b"
THE_OTHER = r"\b(?:the other(?: one)?|the second(?: one)?|another one)\b"
# An order id the buyer is not sure of: "I think it's #W…, not sure".
UNSURE = r"\bnot (?:100% )?sure\b|\bi think\b|\bmaybe\b|\bif i remember\b|\bi believe\b|\bsomething like\b|\bor something\b|\bcould be\b|\bprobably\b"
PAID_WITH = r"\bpaid (?:with|by|using|via|through)\b|\bbought with\b|\bcharged to\b"

# Values from the buyer's own data.
MY_DEFAULT_ADDRESS = r"\b(?:my|the) (?:default|usual|home|account|profile)(?: shipping| delivery)? address\b|\baddress (?:on|in) (?:my )?(?:account|profile|file)\b|\bmy (?:home|usual)\b"
OTHER_ORDER_ADDRESS = r"\b(?:address|one) (?:from|of|on|in|used (?:for|on|in)) (?:my |the )?(?:other|another|previous|earlier|last|\w+) order\b|\bsame address as\b|\bthe (?:[A-Z][a-z]+ ){1,2}address\b"
SAME_AS = r"\b(?:same|identical|matching|match(?:es)?) (?:\w+ ){0,2}(?:as|like|to) (?:my|the|what i)\b|\blike (?:the one|my other|the other)\b|\bthe same (?:\w+ ){0,2}as\b|\bsame kind as\b|\bsame type as\b|\bthe same (?:kind|type|model|sort) of \w+(?: \w+)? (?:that'?s |that is |as |from |in )"

# Several requests, and what the confirmation's answer keeps.
ONLY = r"\bonly\b|\bjust\b"

# The order's address changed to one the buyer already has: "send it to my default address instead", "use the New York address from my other order".
TO_OWN_ADDRESS = (r"\b(?:to|at|use) (?:my|the) (?:default|usual|home|account|profile)(?: shipping| delivery)? address\b|\b(?:to|use) (?:my|the) (?:[A-Z][a-z]+ ){1,2}address\b"
                  r"|\b(?:to|use) (?:the )?(?:address|one) (?:from|of|on|in) (?:my |the )?(?:other|another|previous|earlier|last) order\b|\bsame address as\b")

# An order not shipped yet (pending): "the order that hasn't shipped yet".
NOT_SHIPPED = r"\b(?:has ?n[o']t|have ?n[o']t|not|never|isn'?t|wasn'?t) (?:been |yet )?(?:shipped|sent|dispatched|gone out|left)\b|\bnot (?:shipped|sent) yet\b|\bstill pending\b|\bnot yet (?:shipped|sent)\b"

# Where one request ends and the next begins: "First, … Second, … And last, …".
ENUMERATION = r"(?<![\w#])\(?[1-9][)）]|(?:^|(?<=[.!?;:]\s)|(?<=,\s))(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|next|then|also|plus|and (?:then|also|finally|lastly|last)|finally|lastly|last(?: thing)?|one more thing|another thing|oh,? and)\b[,:]?"
# An action word that does not ask for the action: "don't cancel anything", "without cancelling".
NOT_ACTION = r"(?:\bdon'?t|\bdo not|\bnot|\bnever|\bwithout|\bno need to|\brather not)\s+(?:\w+\s+){0,1}$"
# An order placed a moment ago (not shipped yet): "the grill I just ordered".
JUST_PLACED = r"\bjust (?:placed|ordered|made)\b|\b(?:placed|ordered) (?:it )?(?:just now|a (?:moment|minute) ago)\b"
# A request that holds only if the one before it cannot be done: "if that's not possible, cancel the order".
OTHERWISE = r"^\s*(?:(?:and )?if (?:that'?s|it'?s|this is|there'?s|there is|that is) (?:not|no)\b|if not\b|otherwise\b|failing that\b|if (?:you|they) (?:can'?t|cannot|don'?t)\b)"
AS_IT_IS = r"\bmine\b|\bmy current\b|\bthe one i have\b|\bcurrent(?:ly)?\b|\bas (?:it is|before)\b|\bthe ones? i (?:ordered|bought|have)\b"

# Questions about the buyer's own data (bot/flows/my_data.py).
ASKS_PAYMENT = r"\b(?:which|what) (?:card|payment(?: method)?|method)\b.{0,30}\b(?:i|did i|was)\b.{0,12}\b(?:pay|paid|use|used|charged)\b|\bhow did i pay\b|\bwhat did i pay (?:with|by)\b"
ASKS_BALANCE = r"\b(?:how much|what)(?:'s| is)? (?:is )?(?:left|remaining|still)? ?(?:on|in) (?:my|the) gift ?card\b|\bgift ?card(?:'s)? balance\b|\bbalance (?:on|of) (?:my|the) gift ?card\b"
ASKS_ITEM = r"^\s*(?:is|are|does|do|was|what(?:'s| is| are)?|which|how much (?:is|was|did))\b.{0,60}\b(?:i (?:bought|ordered|got|received)|my)\b"
# Whether a part of an order can be cancelled alone: "can I remove just the jacket?", "cancel just those items".
CANCEL_PART = r"\b(?:cancel|remove|take out|drop|delete)\b"
# Any value of an option will do: "waterproof or not doesn't matter", "I don't care about the colour".
ANY_VALUE = r"\bor not\b|\b(?:doesn'?t|does not|don'?t|do not) (?:really )?(?:matter|care)\b|\bwhatever\b|\beither (?:is fine|way)\b|\bany (?:\w+ )?(?:is|will be) (?:fine|ok)\b"
# If the option asked for is not in stock, the item stays as it is: "otherwise leave the coffee machine alone".
LEAVE_IF_NOT = r"\b(?:otherwise|if not|failing that|or else|else)\b,? (?:just )?(?:leave|keep|forget|skip|don'?t (?:change|exchange|swap|bother))\b|\bif (?:there'?s|there is) (?:none|no\b[^.;]*), (?:just )?(?:leave|keep|forget|skip)\b"
# The buyer asks to see the variants that fit before choosing: "what options do you have, and what do they cost?"
ASKS_OPTIONS = r"\bwhat (?:are (?:my|the) )?(?:options|choices)\b|\bwhat do they cost\b|\bwhich (?:ones|options) (?:are there|do you have)\b|\bhow much (?:are|do) (?:they|those|each)\b|\b(?:list|show me) (?:them|the options|what you have)\b|\bwhat (?:do you have|have you got)\b"
# More items for the change that waits: "please add them to the return", "I also want to return the watch".
ADD_TO = r"\badd (?:them|it|these|those|that|the \w+(?: \w+)?) (?:to|in)\b|\b(?:also|too|as well)\b"
# A change of mind that drops an item: "leave the water bottle as it is", "forget the lamp".
DROPS = r"\bleave\b|\bkeep\b|\bforget\b|\bskip\b|\bnot the\b|\bdon'?t (?:change|exchange|return|do)\b"
