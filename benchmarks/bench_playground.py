"""The playground under load: updates per second reaching each page.

The server runs as ``actinit playground`` in its own process, as a user starts it;
``clients`` WebSocket pages each configure a network, then all press Play at once, and
every ``update`` message they receive in ``--seconds`` is counted (with the epochs it
reports). Halfway, the first page pauses and steps while the others play on: the
seconds until each command is answered are reported too (medians). Six cases: 1 and 10
pages, at depth 3 (3 x 8 units), depth 50 (50 x 16 units) and the largest network the
page allows (50 x 256 units), moons with 400 points, mini-batches of 10. The cases are run in
interleaved rounds (the machine is shared and noisy) and reported as median and
spread. The server aims at five updates a second per page; 10 pages share its
cores, so the ratio "10 pages / 1 page" says how it scales.

Run: ``python benchmarks/bench_playground.py [--rounds N] [--seconds S] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from playground_messages import start_playground  # noqa: E402  (the tests' own way to start it)

CASES = {
    "depth 3": ",".join(["8"] * 3),
    "depth 50": ",".join(["16"] * 50),
    "50 x 256": ",".join(["256"] * 50),
}
CLIENTS = (1, 10)


async def open_page(session, url: str, hidden: str):
    """A page with its network configured (its ready message received)."""
    page = await session.ws_connect(url.replace("http", "ws") + "ws", max_msg_size=0)
    settings = {"dataset": "moons", "hidden": hidden, "activation": "relu", "init": "he_normal"}
    await page.send_json({"type": "configure", "settings": settings, "id": 1})
    while (await page.receive_json())["type"] != "ready":
        pass
    return page


async def play(page, seconds: float, commands: dict[str, float] | None = None) -> tuple[int, int]:
    """(updates received, epochs trained) by one page playing for ``seconds``. With
    ``commands``, halfway through the page pauses and steps while the others play on,
    and the seconds until each is answered are written there."""
    await page.send_json({"type": "play"})
    updates, epoch, ends = 0, 0, time.perf_counter() + seconds
    halfway = time.perf_counter() + seconds / 2 if commands is not None else None
    while (left := ends - time.perf_counter()) > 0:
        if halfway and time.perf_counter() > halfway:
            halfway = None
            commands.update(await pause_and_step(page))
            await page.send_json({"type": "play"})
        try:
            message = await page.receive_json(timeout=min(left, 0.1))
        except TimeoutError:
            continue
        if message["type"] == "update":
            updates, epoch = updates + 1, message["epoch"]
    await page.send_json({"type": "pause"})
    await page.close()
    return updates, epoch


async def pause_and_step(page) -> dict[str, float]:
    """Seconds from Pause to the page hearing it stopped, and from Step to its update."""
    started = time.perf_counter()
    await page.send_json({"type": "pause"})
    while (await page.receive_json()) != {"type": "state", "playing": False}:
        pass
    paused = time.perf_counter()
    await page.send_json({"type": "step", "epochs": 1})
    while (await page.receive_json())["type"] != "update":
        pass
    return {"pause": paused - started, "step": time.perf_counter() - paused}


async def measure(url: str, hidden: str, clients: int, seconds: float) -> dict[str, float]:
    """Every page configures first; then all press Play at once and are counted."""
    async with aiohttp.ClientSession() as session:
        pages = [await open_page(session, url, hidden) for _ in range(clients)]
        commands: dict[str, float] = {}
        results = await asyncio.gather(
            *(play(page, seconds, commands if i == 0 else None) for i, page in enumerate(pages))
        )
    updates = [u for u, _ in results]
    return {
        "updates_per_second_per_page": statistics.mean(updates) / seconds,
        "slowest_page": min(updates) / seconds,
        "epochs_per_second_per_page": statistics.mean(e for _, e in results) / seconds,
        "pause_seconds": commands["pause"],
        "step_seconds": commands["step"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"which of {', '.join(CASES)} (comma-separated)"
    )
    args = parser.parse_args()
    process, url = start_playground()
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    try:
        chosen = [name.strip() for name in args.cases.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in CASES]
        if unknown:
            parser.error(f"unknown case(s) {unknown}; choose among {list(CASES)}")
        cases = [(name, clients) for name in chosen for clients in CLIENTS]
        for round_number in range(args.rounds):
            # Interleaved, in a rotated order each round.
            shift = round_number % len(cases)
            for name, clients in cases[shift:] + cases[:shift]:
                result = asyncio.run(measure(url, CASES[name], clients, args.seconds))
                runs.setdefault((name, clients), []).append(result)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(
        f"playground updates per second, {os.cpu_count()} cores, {args.rounds} rounds x {args.seconds:g} s"
    )
    print(
        f"{'case':<10}{'pages':>6}{'updates/s/page':>16}{'spread':>16}{'slowest page':>14}"
        f"{'epochs/s/page':>15}{'pause s':>9}{'step s':>8}"
    )
    table = {}
    for (name, clients), results in runs.items():
        rates = [r["updates_per_second_per_page"] for r in results]
        row = {
            "median": statistics.median(rates),
            "low": min(rates),
            "high": max(rates),
            "slowest_page": statistics.median(r["slowest_page"] for r in results),
            "epochs": statistics.median(r["epochs_per_second_per_page"] for r in results),
            "pause": statistics.median(r["pause_seconds"] for r in results),
            "step": statistics.median(r["step_seconds"] for r in results),
        }
        table[f"{name}, {clients} pages"] = row
        spread = f"{row['low']:.2f}..{row['high']:.2f}"
        print(
            f"{name:<10}{clients:>6}{row['median']:>16.2f}{spread:>16}"
            f"{row['slowest_page']:>14.2f}{row['epochs']:>15.1f}{row['pause']:>9.2f}{row['step']:>8.2f}"
        )
    for name in chosen:
        one, ten = table[f"{name}, 1 pages"]["median"], table[f"{name}, 10 pages"]["median"]
        print(f"{name}: each of 10 pages gets {ten / one:.2f}x the updates of a lone page")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(table, handle, indent=2)


if __name__ == "__main__":
    main()
