"""Hand labels for the independent ("apart") aspect gold set.

Written by reading each review in worklist.jsonl; see RULES.md for the decision rules.
LABELS: id -> "slug:pol;slug:pol" ("" when the review judges none of the 27 aspects).
UNCOVERED: id -> judgements in the review that none of the 27 aspects covers.
"""

LABELS: dict[int, str] = {
    # --- batch 1: 书籍, 平板 ---
    565: "content:neg",
    6548: "content:pos;price:neg",
    7837: "content:neg",
    13410: "content:neg",
    16163: "content:neg",
    16187: "content:neg",
    28568: "content:neg",
    39147: "content:neg;printing:pos",
    41788: "content:neg;price:neg",
    44334: "",
    1646: "content:pos",
    5331: "content:mixed;printing:neg",
    10850: "content:pos",
    11136: "content:pos",
    21042: "content:pos",
    23736: "content:mixed",
    35494: "content:pos",
    38112: "content:mixed",
    40810: "",
    41797: "",
    493: "battery:neg",
    19791: "logistics:neg",
    21049: "quality:neg;authenticity:neg",
    24828: "quality:pos;appearance:pos;screen:neg",
    26620: "quality:neg",
    29231: "quality:neg;performance:neg",
    31395: "service:neg;screen:neg",
    36813: "service:neg;sound:neg",
    47314: "performance:neg",
    49909: "quality:neg;logistics:neg;system:neg",
    159: "",
    2206: "price:pos;logistics:pos",
    7977: "",
    10066: "quality:pos;packaging:neg",
    13564: "screen:pos",
    14991: "price:pos;battery:neg",
    26008: "quality:pos",
    29784: "",
    41105: "quality:pos",
    46632: "performance:pos;sound:pos",
}

UNCOVERED: dict[int, str] = {
    44334: "child does not like the book (overall, no aspect)",
    49909: "no Chinese handwriting input counted as system; 保护套 (case accessory) counted as quality",
    47314: "wants to return; packaging thrown away (mention only)",
}
