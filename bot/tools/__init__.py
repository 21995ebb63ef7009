"""Order tools: typed functions with the shop's rules and authorization in code."""
