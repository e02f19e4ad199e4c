"""The refund flow in the config file: it reads only the custom object its `source:` names
(it has no object of its own), and its map must fill the credit's customer and its one line's
amount; each mistake is one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_flow_config_file import assert_refused, write

from sfqb.cli.settings import load_config
from sfqb.mapping import load_flows
from sfqb.mapping.mapsets import ONLINE_MAPS
from sfqb.sync.records import flow_sources

REFUNDS = (
    "      refund_to_credit_memo:\n"
    "        source: Refund__c\n"
    "        map:\n"
    "          CustomerRef: {source: Account__c, ref: Account}\n"
    "          TxnDate: {source: Refund_Date__c, type: date}\n"
    "          lines:\n"
    "            Amount: {source: Amount__c, type: amount}\n"
)


def test_the_refund_flow_reads_its_source_and_its_credits_go_back_to_it(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, REFUNDS)).company("acme").flows
    for maps in (None, ONLINE_MAPS):
        flows = (
            load_flows(company=config) if maps is None else load_flows(maps=maps, company=config)
        )
        assert flow_sources(flows) == {"refund_to_credit_memo": "Refund__c"}
        assert flows["refund_to_credit_memo"].kinds == ("CreditMemo",)
        assert flows["credit_to_refund"].kind == "Refund__c"


def test_without_a_config_entry_the_refund_flow_reads_nothing() -> None:
    flows = load_flows()
    assert "refund_to_credit_memo" not in flow_sources(flows)
    assert flows["credit_to_refund"].kind == "CustomObject"  # written to no object


BAD = [
    ("      refund_to_credit_memo:\n        enabled: true\n", 4, "needs `source:`"),
    (
        "      refund_to_credit_memo:\n        source: Refund__c\n"
        "        map:\n          lines: {Amount: {source: Amount__c}}\n",
        6,
        "must fill CustomerRef",
    ),
    (
        "      refund_to_credit_memo:\n        source: Refund__c\n"
        "        map:\n          CustomerRef: {source: Account__c, ref: Account}\n",
        6,
        "must fill lines.Amount",
    ),
    (
        "      refund_to_credit_memo:\n        source: Refund__c\n"
        "        map:\n          CustomerRef: {source: Account__c, ref: Account}\n"
        "          lines: {Amount: {source: Amount__c}}\n          Memo: {source: Reason}\n",
        9,
        "Refund__c has no field 'Reason'",
    ),
]


@pytest.mark.parametrize(("body", "line", "words"), BAD)
def test_a_refund_flow_mistake_names_the_file_and_line(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    assert_refused(tmp_path, body, line, words)
