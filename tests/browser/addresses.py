"""Typing an address into the "Ship to" chooser, on the cart page or in a live room's sheet."""

from __future__ import annotations

from playwright.async_api import Locator, Page

NEW_ADDRESS = {
    "name": "Jordan Lee",
    "line1": "500 Harbor Road",
    "line2": "Unit 12",
    "city": "Seattle",
    "region": "WA",
    "postal_code": "98101",
}


async def fill_address(
    scope: Page | Locator, address: dict[str, str] = NEW_ADDRESS, country: str = "US"
) -> None:
    """Pick "A new address" (if saved ones are offered) and type one in."""
    choice = scope.locator("input[name=ship_to][value=new]")
    if not await choice.is_checked():
        await choice.check()
    for field, value in address.items():
        await scope.locator(f"input[name=ship_{field}]").fill(value)
    await scope.locator("select[name=ship_country]").select_option(country)
