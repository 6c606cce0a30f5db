"""The demo account's branches, products (every kind of stock control) and stock per branch."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from station.cin7.sandbox.account import Account

CATALOGUE_STAMP = "2026-01-05T00:00:00Z"

BRANCHES: list[dict[str, Any]] = [
    {
        "id": 1,
        "company": "Auckland Warehouse",
        "isActive": True,
        "branchType": "Warehouse",
        "address1": "12 Carbine Road",
        "city": "Auckland",
        "postCode": "1060",
        "country": "New Zealand",
    },
    {
        "id": 2,
        "company": "Christchurch Store",
        "isActive": True,
        "branchType": "Retail",
        "address1": "88 Colombo Street",
        "city": "Christchurch",
        "postCode": "8011",
        "country": "New Zealand",
    },
    {
        "id": 3,
        "company": "Sydney 3PL",
        "isActive": True,
        "branchType": "3PL",
        "address1": "4 Botany Road",
        "city": "Alexandria",
        "postCode": "2015",
        "country": "Australia",
    },
]


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """One product of the demo catalogue; ``size_range`` set means batches kept by size grid."""

    style: str
    name: str
    stock_control: str
    options: tuple[str, ...]
    weight_kg: float
    price: float
    size_range: int | None = None
    dims_cm: tuple[float, float, float] | None = None  # length, width, height


def _p(
    style: str,
    name: str,
    control: str,
    options: str,
    weight: float,
    price: float,
    size_range: int | None = None,
    dims: tuple[float, float, float] | None = None,
) -> DemoProduct:
    return DemoProduct(
        style, name, control, tuple(options.split("|")), weight, price, size_range, dims
    )


APPAREL_SIZES = 7
FOOTWEAR_SIZES = 8

PRODUCTS: tuple[DemoProduct, ...] = (
    _p("KETE", "Harakeke Kete", "FIFO", "Natural|Black", 0.35, 89.0, dims=(40, 10, 35)),
    _p("MUG", "Stoneware Mug", "FIFO", "Sea Green|Sand|Charcoal", 0.42, 24.0, dims=(12, 9, 10)),
    _p("TEA", "Kawakawa Tea 100g", "Batch", "Loose Leaf", 0.12, 14.5),
    _p("HONEY", "Mānuka Honey 500g", "Batch", "UMF 10+|UMF 15+", 0.68, 64.0, dims=(9, 9, 12)),
    _p("DRILL", "Cordless Drill 18V", "Serial", "Kit|Skin Only", 1.9, 189.0, dims=(30, 10, 25)),
    _p("SPEAKER", "Bluetooth Speaker", "Serial", "Black", 0.8, 129.0),
    _p("TEE", "Merino Tee", "Batch", "S|M|L|XL", 0.2, 69.0, APPAREL_SIZES),
    _p("JACKET", "Puffer Jacket", "Batch", "S|M|L", 0.75, 249.0, APPAREL_SIZES),
    _p("SOCKS", "Wool Socks 3-pack", "FIFO", "Grey|Navy", 0.15, 29.0),
    _p("CANDLE", "Soy Candle", "FIFO", "Kōwhai|Horopito", 0.5, 39.0),
    _p("BOARD", "Rimu Chopping Board", "FIFO", "Small|Large", 1.2, 79.0, dims=(45, 30, 3)),
    _p("SOAP", "Goat Milk Soap", "Batch", "Unscented|Lavender", 0.1, 9.5),
    _p("CABLE", "USB-C Cable 2m", "Undefined", "White", 0.05, 19.0),
    _p("PRINT", "Art Print A3", "FIFO", "Tūī|Kererū|Pīwakawaka", 0.3, 45.0, dims=(45, 6, 6)),
    _p("BOOTS", "Gumboots", "Batch", "7|8|9|10|11", 1.6, 59.0, FOOTWEAR_SIZES, (35, 25, 15)),
    _p("HOODIE", "Organic Hoodie", "Batch", "XS|S|M|L|XL", 0.55, 119.0, APPAREL_SIZES),
    _p("BEANIE", "Possum Merino Beanie", "FIFO", "Charcoal|Ochre", 0.08, 49.0),
    _p("BLANKET", "Wool Throw Blanket", "FIFO", "Oatmeal|Forest", 1.4, 229.0, dims=(40, 30, 15)),
    _p("COFFEE", "Single Origin Coffee 1kg", "Batch", "Whole Bean|Espresso Grind", 1.05, 54.0),
    _p("OIL", "Olive Oil 500ml", "Batch", "Extra Virgin", 0.9, 27.0),
    _p("WINE", "Central Otago Pinot Noir", "Batch", "2021|2022", 1.4, 42.0, dims=(9, 9, 32)),
    _p("HEADPH", "Noise-Cancelling Headphones", "Serial", "Black|Silver", 0.35, 399.0),
    _p("WATCH", "Fitness Watch", "Serial", "Graphite", 0.12, 299.0),
    _p("KETTLE", "Electric Kettle 1.7L", "Serial", "Matte White", 1.3, 99.0, dims=(25, 18, 26)),
    _p("LAMP", "Desk Lamp", "FIFO", "Brass|Black", 1.1, 139.0),
    _p("TOWEL", "Bath Towel", "FIFO", "White|Sage|Clay", 0.7, 44.0),
    _p("PUZZLE", "Jigsaw Puzzle 1000pc", "FIFO", "Aotearoa Map", 0.6, 36.0, dims=(35, 25, 6)),
    _p("BOTTLE", "Insulated Bottle 750ml", "FIFO", "Steel|Ocean", 0.42, 49.0),
    _p("SUNSCR", "SPF50 Sunscreen 200ml", "Batch", "Unscented", 0.24, 24.0),
    _p("SEEDS", "Heirloom Seed Pack", "Undefined", "Tomato|Basil", 0.03, 6.5),
)


def option_code(style: str, option: str) -> str:
    """The SKU of a product option: style code and the first letters of the option."""
    return f"{style}-{option.upper().replace(' ', '')[:6]}"


def ean13(rng: random.Random, prefix: str = "94") -> str:
    """A 13-digit barcode with a valid EAN check digit (94 is New Zealand's GS1 prefix)."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix)))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def ensure_catalogue(state: Account, *, seed: int) -> None:
    """Give an account without products the demo branches, products and stock."""
    if state.products:
        return
    rng = random.Random(seed)
    state.branches = [dict(b) for b in BRANCHES]
    option_id = 5001
    for product_id, product in enumerate(PRODUCTS, start=101):
        options = []
        for name in product.options:
            option = _option(rng, product, product_id, option_id, name)
            rows = [_stock_row(rng, option, branch) for branch in BRANCHES]
            option["stockOnHand"] = sum(r["stockOnHand"] for r in rows)
            option["stockAvailable"] = sum(r["available"] for r in rows)
            state.stock.extend(rows)
            options.append(option)
            option_id += 1
        length, width, height = product.dims_cm or (None, None, None)
        state.products[product_id] = {
            "id": product_id,
            "name": product.name,
            "styleCode": product.style,
            "stockControl": product.stock_control,
            "sizeRangeId": product.size_range,
            "weight": product.weight_kg,
            "height": height,
            "width": width,
            "length": length,
            "modifiedDate": CATALOGUE_STAMP,
            "productOptions": options,
        }


def _option(
    rng: random.Random, product: DemoProduct, product_id: int, option_id: int, name: str
) -> dict[str, Any]:
    return {
        "id": option_id,
        "productId": product_id,
        "code": option_code(product.style, name),
        "barcode": ean13(rng),
        "option1": name,
        "option2": None,
        "option3": None,
        "size": name if product.size_range is not None else None,
        "optionWeight": product.weight_kg,
        "stockAvailable": 0,
        "stockOnHand": 0,
        "priceColumns": {"retailNZD": product.price},
    }


def _stock_row(
    rng: random.Random, option: dict[str, Any], branch: dict[str, Any]
) -> dict[str, Any]:
    on_hand = rng.randrange(0, 120)
    open_sales = rng.randrange(0, min(on_hand, 20) + 1)
    return {
        "productId": option["productId"],
        "productOptionId": option["id"],
        "code": option["code"],
        "barcode": option["barcode"],
        "branchId": branch["id"],
        "branchName": branch["company"],
        "available": on_hand - open_sales,
        "stockOnHand": on_hand,
        "openSales": open_sales,
        "incoming": rng.randrange(0, 40),
        "holding": rng.randrange(0, 5),
        "modifiedDate": CATALOGUE_STAMP,
    }


def retail_price(option: dict[str, Any]) -> float:
    """The option's retail price (what an order line charges unless it names a price)."""
    return float((option.get("priceColumns") or {}).get("retailNZD") or 0.0)
