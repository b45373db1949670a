"""On-AWS projection of a fan-out refresh, from what `bench.refresh` measured here.

The emulator's times say nothing about AWS; its DynamoDB calls and item sizes do. This module
takes, from the largest measured run, the match rate, the calls of each kind per segment and per
matched person, and the catalog's item sizes, and projects a refresh of 100k and 1M persons with
the template's segment size and consumer concurrency against DynamoDB's and Lambda's published
limits and typical in-region latencies (the assumptions below). `bench.refresh` writes it.
"""

from __future__ import annotations

import math
from typing import Any

from leadlists_local import template

# Published DynamoDB limits (on-demand): a partition serves 1,000 write units and 3,000 read
# units a second; a new on-demand table starts at 4,000 WCU/s and 12,000 RCU/s and doubles
# toward its quota (40,000 each by default) as traffic grows; pre-warming ("warm throughput")
# lifts the start. A Scan page stops at 1 MB; 4 KB eventually consistent is 0.5 RCU; 1 KB
# written is 1 WCU. Prices (us-east-1, on-demand): $0.125 per million read request units,
# $0.625 per million write request units.
PARTITION_WCU = 1_000
TABLE_WCU_NEW, TABLE_WCU_WARM = 4_000, 40_000
PAGE_BYTES = 1024 * 1024
READ_PRICE, WRITE_PRICE = 0.125e-6, 0.625e-6
# Typical in-region latencies from Lambda (assumptions, not published SLAs): a 1 MB Scan page
# ~100 ms (transfer-bound), a 25-item BatchWriteItem ~25 ms, a GetItem/UpdateItem/transaction
# ~10 ms. Python work per scanned person on an arm64 1 GB function (~0.6 vCPU): ~150 us
# (deserialize, match, serialize the copies).
SCAN_PAGE_S, BATCH_WRITE_S, SMALL_CALL_S, CPU_PER_PERSON_S = 0.100, 0.025, 0.010, 150e-6
# A scheduled refresh of a list that exists already changes few members; the projection shows
# the first fill (every member written) and a re-refresh with this share changed.
CHANGED = 0.01


def template_settings() -> dict[str, int]:
    """The template's segment size and segment consumer concurrency."""
    functions = template.functions()
    size = int(functions["RefreshWorkerFunction"].environment.get("REFRESH_SEGMENT_SIZE", 5000))
    mapping = template.resources("AWS::Lambda::EventSourceMapping")["RefreshSegmentSubscription"]
    scaling = mapping["Properties"].get("ScalingConfig", {})
    return {"segment_size": size, "concurrency": int(scaling.get("MaximumConcurrency", 1000))}


def project(persons: int, measured: dict[str, Any], settings: dict[str, int]) -> dict[str, float]:
    """Wall seconds (first fill, re-refresh) and request units of one refresh of `persons`."""
    match = measured["matched"] / measured["persons"]
    matched = persons * match
    size, workers = settings["segment_size"], settings["concurrency"]
    segments = math.ceil(persons / size)
    item_kb = measured["item_bytes"] / 1024
    # One segment, on one worker: its scan pages, its Python, its copies and chunk writes, and
    # the small calls (run reads, markers, counters) measured per segment here.
    pages = math.ceil(size * measured["item_bytes"] / PAGE_BYTES)
    copy_calls = math.ceil(size * match / 25)
    segment_s = (
        pages * SCAN_PAGE_S
        + size * CPU_PER_PERSON_S
        + (copy_calls + 1) * BATCH_WRITE_S
        + measured["small_calls_per_segment"] * SMALL_CALL_S
    )
    waves = math.ceil(segments / workers)
    copy_wcu = matched * math.ceil(item_kb)
    # The segments' writes share the table's write rate: copies spread over partitions.
    segments_s = max(waves * segment_s, copy_wcu / TABLE_WCU_WARM)
    # Finalize: one worker reads the run's chunks and the list's current members (a Query of
    # keys, ~100 bytes each), then writes the changes into the list's one partition.
    member_pages = math.ceil(matched * 100 / PAGE_BYTES)
    read_s = math.ceil(matched / 2000) * SMALL_CALL_S + member_pages * SCAN_PAGE_S
    fill_s = max(matched / 25 * BATCH_WRITE_S, matched / PARTITION_WCU)
    rcu = persons * measured["item_bytes"] / 4096 * 0.5 + member_pages * 128
    chunks_wcu = matched * 37 / 1024  # the run's sorted id chunks, ~37 bytes an id
    wcu_fill = copy_wcu + matched + chunks_wcu
    return {
        "persons": persons,
        "segments": segments,
        "waves": waves,
        "segment_s": segment_s,
        "segments_s": segments_s,
        "first_s": segments_s + read_s + fill_s,
        "again_s": segments_s + read_s + fill_s * CHANGED,
        "rcu": rcu,
        "wcu_first": wcu_fill,
        "wcu_again": copy_wcu + matched * CHANGED + chunks_wcu,
        "cost_first": rcu * READ_PRICE + wcu_fill * WRITE_PRICE,
    }


def section(measured: dict[str, Any]) -> list[str]:
    settings = template_settings()
    lines = [
        f"Projected from the {measured['persons']:,}-person run above (match rate "
        f"{measured['matched'] / measured['persons']:.0%}, catalog items "
        f"~{measured['item_bytes']:,.0f} bytes, {measured['small_calls_per_segment']:.0f} small "
        "DynamoDB calls per segment besides its scan pages and batch writes) with the template's "
        f"{settings['segment_size']:,} persons per segment and at most "
        f"{settings['concurrency']} segment workers at once (`MaximumConcurrency` of "
        "RefreshSegmentSubscription). Assumptions (bench/estimate.py): a 1 MB Scan page "
        f"{SCAN_PAGE_S * 1000:.0f} ms, a 25-item BatchWriteItem {BATCH_WRITE_S * 1000:.0f} ms, "
        f"a small call {SMALL_CALL_S * 1000:.0f} ms, {CPU_PER_PERSON_S * 1e6:.0f} us of Python "
        "per scanned person; a partition takes 1,000 WCU/s, the table up to "
        f"{TABLE_WCU_WARM:,} WCU/s once warm ({TABLE_WCU_NEW:,} when new); $0.125 / $0.625 per "
        "million read / write request units.",
        "",
        "| persons | segments | waves | one segment s | segments phase s | first fill s "
        "| re-refresh s (1% changed) | RCU | WCU first / again | cost first fill |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for persons in (100_000, 1_000_000):
        p = project(persons, measured, settings)
        lines.append(
            f"| {persons:,} | {p['segments']} | {p['waves']} | {p['segment_s']:.1f} "
            f"| {p['segments_s']:.0f} | {p['first_s']:.0f} | {p['again_s']:.0f} "
            f"| {p['rcu']:,.0f} | {p['wcu_first']:,.0f} / {p['wcu_again']:,.0f} "
            f"| ${p['cost_first']:.2f} |"
        )
    lines += [
        "",
        "How the template's figures were chosen: segments of 5,000 persons keep one segment "
        "to a few seconds (so a retry redoes little) and 1M persons to 200 segments; 40 "
        "segment workers at once write copies at up to ~40,000 WCU/s, the table's on-demand "
        "quota, so more would only be throttled. A re-refresh (the scheduled case) of 1M "
        "persons then fits in a minute. The first fill of a very large list does not: its "
        "members live in the list's one partition, whose 1,000 WCU/s bound the finalizer "
        "(600,000 members take at least 10 minutes) until DynamoDB splits the hot partition; "
        "reaching 60 s there needs members spread over several partitions, a key change left "
        "for later.",
    ]
    return lines
