"""A deterministic demo shop in τ²-retail's shape, for clones without ../shared.

Same seed, same shop: users (Chinese and English names), products with variants across the
demo merchants, and orders in every status with payments, refunds and tracking ids.
"""

from __future__ import annotations

import random

FIRST = ["Wei", "Fang", "Jing", "Lei", "Min", "Yan", "Hao", "Li", "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan"]
LAST = ["Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Zhao", "Huang", "Smith", "Brown", "Garcia", "Miller", "Davis", "Lopez"]
PLACES = [  # city, state, country, zip prefix
    ("Shanghai", "SH", "China", "200"), ("Beijing", "BJ", "China", "100"), ("Hangzhou", "ZJ", "China", "310"),
    ("Shenzhen", "GD", "China", "518"), ("Seattle", "WA", "USA", "981"), ("Austin", "TX", "USA", "787"),
    ("Boston", "MA", "USA", "021"), ("Denver", "CO", "USA", "802"),
]  # fmt: skip
STREETS = ["Nanjing Road", "Huaihai Road", "Maple Avenue", "Oak Street", "Lakeview Drive", "Chang'an Avenue"]
PRODUCTS = {
    "Water Bottle": {"capacity": ["500ml", "750ml", "1000ml"], "material": ["glass", "stainless steel"], "color": ["blue", "black"]},
    "T-Shirt": {"color": ["white", "black", "red"], "size": ["S", "M", "L", "XL"], "material": ["cotton"]},
    "Hiking Boots": {"size": ["40", "42", "44"], "material": ["leather", "synthetic"], "waterproof": ["yes", "no"]},
    "Backpack": {"color": ["green", "grey"], "size": ["small", "large"], "compartment": ["laptop", "camera"]},
    "Wireless Earbuds": {"color": ["white", "black"], "battery life": ["6 hours", "8 hours"], "water resistance": ["IPX4", "IPX7"]},
    "Smart Watch": {"color": ["black", "silver"], "band material": ["silicone", "leather"], "display": ["AMOLED", "LCD"]},
    "Office Chair": {"material": ["mesh", "fabric"], "color": ["black", "grey"], "armrest": ["fixed", "adjustable"]},
    "Desk Lamp": {"color": ["white", "black"], "brightness": ["medium", "high"], "power source": ["USB", "AC adapter"]},
    "Electric Kettle": {"capacity": ["1L", "1.5L"], "material": ["glass", "stainless steel"], "color": ["white", "silver"]},
    "Yoga Mat": {"thickness": ["4mm", "6mm"], "material": ["TPE", "natural rubber"], "color": ["purple", "blue"]},
    "Fleece Jacket": {"size": ["S", "M", "L"], "color": ["navy", "red"], "zipper": ["full", "half"]},
    "Tea Kettle": {"material": ["glass", "ceramic"], "capacity": ["1 liter", "2 liters"], "stovetop compatibility": ["gas", "induction"]},
}
BASE_PRICE = {"Water Bottle": 25, "T-Shirt": 19, "Hiking Boots": 120, "Backpack": 60, "Wireless Earbuds": 90, "Smart Watch": 260,
              "Office Chair": 280, "Desk Lamp": 40, "Electric Kettle": 45, "Yoga Mat": 30, "Fleece Jacket": 70, "Tea Kettle": 55}  # fmt: skip
STATUSES = ["pending"] * 4 + ["processed"] * 2 + ["delivered"] * 4 + ["cancelled"]


def generate_demo_shop(seed: int = 7, users: int = 60, orders: int = 180) -> dict:
    rng = random.Random(seed)

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    products: dict = {}
    for name, axes in PRODUCTS.items():
        product_id = digits(10)
        variants = {}
        combos = [{}]
        for axis, values in axes.items():
            combos = [{**c, axis: v} for c in combos for v in values]
        for options in rng.sample(combos, k=min(len(combos), 6)):
            item_id = digits(10)
            price = round(BASE_PRICE[name] * rng.uniform(0.85, 1.25), 2)
            variants[item_id] = {"item_id": item_id, "options": options, "available": rng.random() > 0.2, "price": price}
        products[product_id] = {"name": name, "product_id": product_id, "variants": variants}

    people: dict = {}
    for _ in range(users):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        user_id = f"{first.lower()}_{last.lower()}_{digits(4)}"
        if user_id in people:
            continue
        city, state, country, prefix = rng.choice(PLACES)
        zip_code = prefix + digits(3 if country == "China" else 2)
        methods = {}
        for source in rng.sample(["credit_card", "paypal", "gift_card"], k=rng.randint(1, 3)):
            method_id = f"{source}_{digits(7)}"
            method: dict = {"source": source, "id": method_id}
            if source == "credit_card":
                method.update(brand=rng.choice(["visa", "mastercard", "unionpay"]), last_four=digits(4))
            if source == "gift_card":
                method["balance"] = float(rng.randint(0, 200))
            methods[method_id] = method
        people[user_id] = {
            "user_id": user_id,
            "name": {"first_name": first, "last_name": last},
            "address": {"address1": f"{rng.randint(1, 999)} {rng.choice(STREETS)}", "address2": f"Suite {rng.randint(100, 999)}",
                        "city": city, "country": country, "state": state, "zip": zip_code},
            "email": f"{user_id.replace('_', '.')}@example.com",  # unique because the user id is
            "payment_methods": methods,
            "orders": [],
        }  # fmt: skip

    all_orders: dict = {}
    user_ids, product_list = list(people), list(products.values())
    for _ in range(orders):
        user = people[rng.choice(user_ids)]
        order_id = f"#W{digits(7)}"
        if order_id in all_orders:
            continue
        items = []
        for product in rng.sample(product_list, k=rng.randint(1, 3)):
            variant = rng.choice(list(product["variants"].values()))
            items.append({"name": product["name"], "product_id": product["product_id"], "item_id": variant["item_id"],
                          "price": variant["price"], "options": variant["options"]})  # fmt: skip
        status = rng.choice(STATUSES)
        method_id = rng.choice([m for m, v in user["payment_methods"].items() if v["source"] != "gift_card"] or list(user["payment_methods"]))
        total = round(sum(i["price"] for i in items), 2)
        history = [{"transaction_type": "payment", "amount": total, "payment_method_id": method_id}]
        if status == "cancelled":
            history.append({"transaction_type": "refund", "amount": total, "payment_method_id": method_id})
        fulfillments = ([{"tracking_id": [digits(12)], "item_ids": [i["item_id"] for i in items]}]
                        if status in ("processed", "delivered") else [])  # fmt: skip
        all_orders[order_id] = {"order_id": order_id, "user_id": user["user_id"], "address": dict(user["address"]), "items": items,
                                "status": status, "fulfillments": fulfillments, "payment_history": history}  # fmt: skip
        if status == "cancelled":
            all_orders[order_id]["cancel_reason"] = rng.choice(["no longer needed", "ordered by mistake"])
        user["orders"].append(order_id)
    return {"products": products, "users": people, "orders": all_orders}
