"""Eight concurrent calls from a ThreadPoolExecutor give the same results as sequential ones."""

from concurrent.futures import ThreadPoolExecutor

import ntk

JOBS = [
    ("moments", dict(widths=[3, 2, 2], sigma2=2, exact=True)),
    ("moments", dict(widths=[4, 3, 5], sigma2="5/2", input_norm2=2, exact=True, max_moment=4)),
    ("moments", dict(width=10, depth=30, sigma2="2.5", certified=True)),
    ("moments", dict(width=50, depth=50, sigma2="1.5", digits=30)),
    ("symbolic", dict(widths=[3, 2, 2])),
    ("kernel", dict(widths=[3, 2, 2], sigma2=2, correlation="1/2")),
    ("validate", dict(widths=[3, 2, 2], sigma2=2, samples=3000, seed=11, threads=1)),
    ("distribution", dict(widths=[4, 4], sigma2=2, samples=2000, seed=5, threads=1)),
]


def _comparable(result):
    data = result.to_dict()
    data.pop("seconds", None)  # wall time of the Monte Carlo runs
    return data


def test_eight_concurrent_calls_equal_sequential_ones():
    sequential = [_comparable(ntk.run(command, **options)) for command, options in JOBS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda job: _comparable(ntk.run(job[0], **job[1])), JOBS))
    assert concurrent == sequential


def test_concurrent_results_compare_equal_as_values():
    job = ("moments", dict(widths=[3, 2, 2], sigma2=2, exact=True))
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ntk.run(job[0], **job[1]), range(8)))
    assert all(result == results[0] for result in results)
