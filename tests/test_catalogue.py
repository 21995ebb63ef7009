"""Which of an order's items a buyer names (bot.catalogue)."""

from bot.catalogue import named_items

ORDER = [{"name": "Headphones"}, {"name": "Wireless Earbuds"}, {"name": "Laptop"}, {"name": "Notebook"}, {"name": "T-Shirt"}]


def names(text):
    return [i["name"] for i in named_items(ORDER, text)]


def test_items_are_named_in_either_language():
    assert names("I want to return the headphones") == ["Headphones"]
    assert names("退货 #W2378156 的耳机和T恤") == ["Headphones", "T-Shirt"]
    assert names("the t-shirt please") == ["T-Shirt"]


def test_a_longer_name_is_not_also_a_shorter_one():
    assert names("把无线耳机退了") == ["Wireless Earbuds"]  # not also the headphones (耳机)
    assert names("笔记本电脑坏了") == ["Laptop"]  # not also the notebook (笔记本)
    assert names("笔记本电脑和笔记本都退") == ["Laptop", "Notebook"]
    assert names("退掉这个订单") == []  # none named: the caller decides (the whole order, or asks)
