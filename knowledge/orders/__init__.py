"""The shop's order database (SQLModel): users, shops, products, orders, and the audit log."""
