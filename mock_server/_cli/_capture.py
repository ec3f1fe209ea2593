"""``medusa-mock capture``: a deployment's catalog written as a seed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._common import EXIT_OK, EXIT_USAGE


def capture_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "capture", help="read a deployment's catalog into a seed file",
        description="Crawl a Medusa v1 Store API (catalog reads only, every list paged to its "
                    "end) and write a seed file that `medusa-mock serve --seed` loads: regions, "
                    "products with options, variants and prices per region and currency, "
                    "inventory, collections, categories, tags, types, shipping options, return "
                    "reasons and sales channels, with the source's ids. With --verify, compare "
                    "the catalog reads of the source and of a mock serving the capture instead.")
    p.add_argument("base_url", metavar="BASE_URL", help="the Store API to read, e.g. "
                                                        "https://api.example.com")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="where the seed goes (written atomically)")
    p.add_argument("--publishable-key", metavar="KEY",
                   help="send x-publishable-api-key: KEY (and keep the key in the seed)")
    p.add_argument("--region", action="append", default=[], metavar="ID_OR_NAME",
                   help="capture only this region (repeatable; default: every region)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="per request (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    check = p.add_argument_group("verifying a copy")
    check.add_argument("--verify", metavar="COPY_URL",
                       help="compare the catalog reads of BASE_URL and of COPY_URL (a mock "
                            "serving the capture) instead of capturing")
    check.add_argument("--report-dir", type=Path, default=Path("reports/capture"),
                       metavar="DIR", help="where verify.json and verify.md go "
                                           "(default: %(default)s)")
    check.add_argument("--min-agreement", type=float, default=0.0, metavar="PERCENT",
                       help="exit 1 when fewer reads agree (default: %(default)s)")


def capture(args: argparse.Namespace) -> int:
    from .._tools import capture as capturing
    from .._tools.capture import verify
    from .._tools.files import atomic_write_text
    from .._tools.sides import Unreachable

    if bool(args.output) == bool(args.verify):
        print("medusa-mock: capture needs either -o FILE or --verify COPY_URL",
              file=sys.stderr)
        return EXIT_USAGE
    progress = capturing.Progress(quiet=args.quiet)
    try:
        catalog = capturing.crawl(args.base_url, publishable_key=args.publishable_key,
                                  regions=args.region, timeout=args.timeout,
                                  progress=progress)
    except capturing.CaptureError as exc:
        print(f"\nmedusa-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.verify:
        reads = capturing.catalog_reads(catalog)
        try:
            results = verify.run(catalog.source, args.verify, reads,
                                 publishable_key=args.publishable_key, timeout=args.timeout,
                                 progress=lambda done, total: progress.update(
                                     "comparing catalog reads", done, total))
        except Unreachable as exc:
            where = catalog.source if exc.side == "source" else args.verify
            print(f"\nmedusa-mock: cannot reach the {exc.side} {where}: {exc.detail}",
                  file=sys.stderr)
            return EXIT_USAGE
        json_path, md_path = verify.write_reports(results, args.report_dir,
                                                  source=catalog.source, copy=args.verify)
        score = verify.agreement(results)
        print(f"capture --verify: {sum(r.agree for r in results)}/{len(results)} catalog "
              f"reads agree ({score:.1f}%); report: {md_path} and {json_path}")
        for operation, (agreeing, total) in verify.by_operation(results).items():
            print(f"  {operation:32} {agreeing:>5}/{total:<5} {100 * agreeing / total:5.1f}%")
        return 1 if score < args.min_agreement else EXIT_OK
    seed, notes = capturing.build_seed(catalog, publishable_key=args.publishable_key)
    atomic_write_text(args.output, json.dumps(seed, indent=2, ensure_ascii=False) + "\n")
    variants = sum(len(p["variants"]) for p in seed["products"])
    print(f"capture: {args.output}: {len(seed['regions'])} regions, {len(seed['products'])} "
          f"products, {variants} variants, {len(seed['product_collections'])} collections, "
          f"{len(catalog.categories)} categories, {len(seed['product_tags'])} tags, "
          f"{len(seed['product_types'])} types, {len(seed['shipping_options'])} shipping "
          f"options, {len(catalog.return_reasons)} return reasons "
          f"({catalog.requests} requests)")
    for note in notes:
        print(f"  note: {note}")
    print("Not in the Store API, so not captured (see README, 'Seeding from a capture'):")
    for line in capturing.not_captured():
        print(f"  - {line}")
    print(f"Serve it: medusa-mock serve --seed {args.output}")
    return EXIT_OK
