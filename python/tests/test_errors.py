"""Every wrong argument raises NTKUsageError (a ValueError) carrying exactly the one line the
command line prints on stderr for the same options."""

import pytest

import ntk

# (Python call, the same job on the command line)
CASES = [
    (lambda: ntk.moments(widths=[3, 2, 2], sigma2=-2), ["moments", "--widths", "3,2,2", "--sigma2", "-2"]),
    (lambda: ntk.moments(widths=[3, 2, 2]), ["moments", "--widths", "3,2,2"]),
    (lambda: ntk.moments(widths=[3, 2, 2], sigma=2), ["moments", "--widths", "3,2,2", "--sigma", "2"]),
    (lambda: ntk.moments(widths="3,x", sigma2=2), ["moments", "--widths", "3,x", "--sigma2", "2"]),
    (lambda: ntk.moments(widths=[3, 0, 2], sigma2=2), ["moments", "--widths", "3,0,2", "--sigma2", "2"]),
    (lambda: ntk.moments(width=100, depth=10 ** 6, sigma2=2, exact=True),
     ["moments", "--width", "100", "--depth", "1000000", "--sigma2", "2", "--exact"]),
    (lambda: ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True, precision=200),
     ["moments", "--widths", "3,2,2", "--sigma2", "2", "--exact", "--precision", "200"]),
    (lambda: ntk.moments(widths=[3, 2, 2], sigma2=2, model="gi", first_step=True),
     ["moments", "--widths", "3,2,2", "--sigma2", "2", "--model", "gi", "--first-step"]),
    (lambda: ntk.moments(widths=[3, 2, 2], sigma2=2, max_moment=9), ["moments", "--widths", "3,2,2", "--sigma2", "2", "--max-moment", "9"]),
    (lambda: ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True, double=True),
     ["moments", "--widths", "3,2,2", "--sigma2", "2", "--exact", "--double"]),
    (lambda: ntk.symbolic(widths=[3, 2, 2], model="nope"), ["symbolic", "--widths", "3,2,2", "--model", "nope"]),
    (lambda: ntk.limit(lambda_=100, sigma2=2), ["limit", "--lambda", "100", "--sigma2", "2"]),
    (lambda: ntk.limit(lambda_=1, sigma2=2, max_moment=8, max_seconds=5),
     ["limit", "--lambda", "1", "--sigma2", "2", "--max-moment", "8", "--max-seconds", "5"]),
    (lambda: ntk.table(sigma2=[0]), ["table", "--sigma2", "0"]),
    (lambda: ntk.table(moment=8, max_seconds=30), ["table", "--moment", "8", "--max-seconds", "30"]),
    (lambda: ntk.expand(sigma2=2, lambda_="1/2", order=20), ["expand", "--sigma2", "2", "--lambda", "1/2", "--order", "20"]),
    (lambda: ntk.kernel(widths=[3, 2, 2], sigma2=2, correlation=2), ["kernel", "--widths", "3,2,2", "--sigma2", "2", "--correlation", "2"]),
    (lambda: ntk.validate(widths=[3, 2, 2], sigma2=2, samples=0), ["validate", "--widths", "3,2,2", "--sigma2", "2", "--samples", "0"]),
    (lambda: ntk.validate(widths=[3, 2, 2], sigma2=2, seed=-1), ["validate", "--widths", "3,2,2", "--sigma2", "2", "--seed", "-1"]),
    (lambda: ntk.validate(merge=["/nonexistent/shard.json"]), ["validate", "merge", "/nonexistent/shard.json"]),
    (lambda: ntk.offdiag(widths=[3, 2, 2], sigma2=2, threads=0), ["offdiag", "--widths", "3,2,2", "--sigma2", "2", "--threads", "0"]),
    (lambda: ntk.step(widths=[3, 2, 2], sigma2=2, samples="1.5"), ["step", "--widths", "3,2,2", "--sigma2", "2", "--samples", "1.5"]),
    (lambda: ntk.train(optimizer="sgd"), ["train", "--optimizer", "sgd"]),
    (lambda: ntk.distribution(widths=[3, 2, 2], sigma2=2, shard="3/2"), ["distribution", "--widths", "3,2,2", "--sigma2", "2", "--shard", "3/2"]),
    (lambda: ntk.chart(kind="pie"), ["chart", "--kind", "pie"]),
    (lambda: ntk.run("momets", widths=[3, 2, 2]), ["momets", "--widths", "3,2,2"]),
]


@pytest.mark.parametrize("call, arguments", CASES, ids=[" ".join(a[:1] + a[-2:]) for _, a in CASES])
def test_error_raises_value_error_with_the_cli_message(call, arguments, cli):
    code, stdout, stderr = cli(*arguments)
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, (code, stdout, stderr)
    with pytest.raises(ValueError) as raised:
        call()
    assert isinstance(raised.value, ntk.NTKUsageError)
    assert str(raised.value) == stderr.rstrip("\n")


def test_a_value_the_engine_cannot_read_is_refused_with_one_line():
    with pytest.raises(ntk.NTKUsageError, match="^ntk engine: option \"widths\" must be"):
        ntk.run("moments", widths={"a": 1}, sigma2=2)


def test_the_engine_survives_every_error():
    for call, _ in CASES:
        with pytest.raises(ValueError):
            call()
    assert str(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta) == "61/12"
