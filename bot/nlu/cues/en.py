"""English cues of the reference resolver (the same names as ``zh.py``)."""

# Degree words next to an option's name: "the highest resolution", "more storage", "a size up".
MOST = r"\b(?:highest|most|maximum|max|biggest|largest|greatest|longest|best|top|strongest)\b"
LEAST = r"\b(?:lowest|least|minimum|min|smallest|fewest|shortest|weakest)\b"
MORE = r"\b(?:higher|more|bigger|larger|greater|longer|better|stronger|increased|up)\b"
LESS = r"\b(?:lower|less|smaller|fewer|shorter|weaker|reduced|down)\b"
# A price no higher than what was paid: "that costs no more than mine", "not more expensive".
CAP_CURRENT = (r"\b(?:no|not) (?:more|pricier|more expensive) than (?:mine|the one i (?:have|got|bought|paid for)|what i paid|my (?:current )?(?:one|\w+))\b"
               r"|\bnot (?:any )?more expensive\b|\bwithout paying more\b|\bsame price or (?:less|lower|cheaper)\b|\bat most (?:the )?(?:same|what i paid)\b")

# Orders described by what is about them.
RECENT = r"\b(?:most recent|latest|newest|last|new|recent) (?:order|one|purchase)\b|\b(?:most recent|latest|newest)\b|\bjust (?:placed|ordered|bought|made|purchased)\b|\brecently (?:placed|ordered|bought|purchased)\b|\bi just (?:placed|ordered|bought|made|purchased)\b|\b(?:ordered|bought|placed) (?:it )?(?:just now|recently)\b"
OLDEST = r"\b(?:oldest|earliest|first) (?:order|one|purchase)\b|\bmy first order\b"
ITEM_COUNT = r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|single) (?:items?|things|products|pieces)\b"
# An order id the buyer is not sure of: "I think it's #W…, not sure".
UNSURE = r"\bnot (?:100% )?sure\b|\bi think\b|\bmaybe\b|\bif i remember\b|\bi believe\b|\bsomething like\b|\bor something\b|\bcould be\b|\bprobably\b"
PAID_WITH = r"\bpaid (?:with|by|using|via|through)\b|\bbought with\b|\bcharged to\b"

# Values from the buyer's own data.
MY_DEFAULT_ADDRESS = r"\b(?:my|the) (?:default|usual|home|account|profile)(?: shipping| delivery)? address\b|\baddress (?:on|in) (?:my )?(?:account|profile|file)\b|\bmy (?:home|usual)\b"
OTHER_ORDER_ADDRESS = r"\b(?:address|one) (?:from|of|on|in|used (?:for|on|in)) (?:my |the )?(?:other|another|previous|earlier|last|\w+) order\b|\bsame address as\b|\bthe (?:[A-Z][a-z]+ ){1,2}address\b"
SAME_AS = r"\b(?:same|identical|matching|match(?:es)?) (?:\w+ ){0,2}(?:as|like|to) (?:my|the|what i)\b|\blike (?:the one|my other|the other)\b|\bthe same (?:\w+ ){0,2}as\b|\bsame kind as\b|\bsame type as\b"

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
# A change of mind that drops an item: "leave the water bottle as it is", "forget the lamp".
DROPS = r"\bleave\b|\bkeep\b|\bforget\b|\bskip\b|\bnot the\b|\bdon'?t (?:change|exchange|return|do)\b"
