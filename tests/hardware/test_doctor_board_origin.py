"""doctor names where a bad default board came from, as every other command does (issue 17)."""

from __future__ import annotations

from balance_trainer.cli import main


def test_doctor_says_a_bad_board_came_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("BALANCE_TRAINER_BOARD", "nosuchboard")
    status = main(["doctor", "--fast", "--seconds", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and err[0].startswith(
        "balance-trainer: error: BALANCE_TRAINER_BOARD = 'nosuchboard': board 'nosuchboard'"
    )
