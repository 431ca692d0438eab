"""The systemd units in systemd/: valid, hardened, and in step with install.sh and the app.

``systemd-analyze verify`` refuses a unit whose ExecStart binary is missing, and the venv
binary only exists on an installed Pi, so each unit is verified from a copy whose
``/opt/balance-trainer/...`` paths point at a stub executable in a temporary folder; nothing
else in the copy changes. The tests that need systemd-analyze skip, saying so, when it is not
installed (apt-get install systemd).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNIT_DIR = REPO / "systemd"
UNITS = sorted(UNIT_DIR.glob("*.service")) + sorted(UNIT_DIR.glob("*.timer"))
KIOSK = UNIT_DIR / "balance-trainer.service"
INSTALL = REPO / "install.sh"
INSTALL_PREFIX = "/opt/balance-trainer/"
EXPOSURE_LIMIT = 3.0

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is not installed (apt-get install systemd)"
)


def settings(unit: Path) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit file, continuation lines joined, values in file order."""
    text = re.sub(r"\\\n\s*", " ", unit.read_text())
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), []).append(value.strip())
    return out


def one(unit: Path, key: str) -> str:
    values = settings(unit).get(key)
    assert values, f"{unit.name} sets no {key}="
    return values[-1]


def sections(unit: Path) -> dict[str, str]:
    """Section name -> its text."""
    parts = re.split(r"^\[(\w+)\]\s*$", unit.read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def install_var(name: str) -> str:
    match = re.search(rf"^readonly {name}=(.+)$", INSTALL.read_text(), re.M)
    assert match, f"install.sh defines no {name}"
    value = match.group(1).strip()
    value = re.sub(r"\$(\w+)", lambda m: install_var(m.group(1)), value)
    return value


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> dict[str, Path]:
    """Copies of the units whose /opt/balance-trainer binaries point at a stub."""
    folder = tmp_path_factory.mktemp("units")
    fake = folder / "fakeroot"
    out = {}
    for unit in UNITS:
        text = unit.read_text()
        for path in set(re.findall(rf"{re.escape(INSTALL_PREFIX)}[^\s;]+", text)):
            stub = fake / path.lstrip("/")
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("#!/bin/sh\nexit 0\n")
            stub.chmod(0o755)
        text = text.replace(INSTALL_PREFIX, f"{fake}{INSTALL_PREFIX}")
        (folder / unit.name).write_text(text)
        out[unit.name] = folder / unit.name
    return out


def verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANALYZE, "verify", "--man=no", str(path)], capture_output=True, text=True, timeout=60
    )


def exposure(path: Path) -> float:
    proc = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", proc.stdout)
    assert match, f"no exposure level in the output:\n{proc.stdout}\n{proc.stderr}"
    return float(match.group(1))


def test_there_are_units_to_check():
    assert KIOSK in UNITS and len(UNITS) >= 2


# --- systemd's own checks ---------------------------------------------------------------------


@needs_analyze
@pytest.mark.parametrize("name", [u.name for u in UNITS])
def test_unit_passes_systemd_analyze_verify(staged, name):
    proc = verify(staged[name])
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


@needs_analyze
def test_verify_check_catches_a_misspelt_key(staged, tmp_path):
    # The check above relies on systemd-analyze complaining on stderr; show that it does.
    broken = tmp_path / "balance-trainer.service"
    broken.write_text(
        staged["balance-trainer.service"].read_text().replace("WatchdogSec=", "WatchdogSecs=")
    )
    proc = verify(broken)
    assert "Unknown key" in proc.stderr and "WatchdogSecs" in proc.stderr


@needs_analyze
@pytest.mark.parametrize("name", [u.name for u in UNITS])
def test_unit_security_exposure_is_below_3(staged, name):
    score = exposure(staged[name])
    print(f"{name}: exposure {score}")
    assert score < EXPOSURE_LIMIT, f"{name}: systemd-analyze security exposure {score}"


@needs_analyze
def test_syscall_filter_leaves_the_reader_its_priority_calls():
    def expand(group: str, seen: set[str] | None = None) -> set[str]:
        seen = set() if seen is None else seen
        proc = subprocess.run(
            [ANALYZE, "syscall-filter", group], capture_output=True, text=True, check=True
        )
        calls: set[str] = set()
        for line in proc.stdout.splitlines()[1:]:
            item = line.strip()
            if not item or item.startswith("#"):
                continue
            if item.startswith("@"):
                if item not in seen:
                    seen.add(item)
                    calls |= expand(item, seen)
            else:
                calls.add(item)
        return calls

    filters = settings(KIOSK)["SystemCallFilter"]
    allowed = set().union(*(expand(f) for f in filters if not f.startswith("~")))
    denied = set().union(*(expand(g) for f in filters if f.startswith("~") for g in f[1:].split()))
    for call in ("sched_setscheduler", "setpriority", "ioctl", "socket", "sendmsg"):
        assert call in allowed - denied, f"{call} is filtered out of the kiosk service"


# --- what the kiosk unit must say -------------------------------------------------------------


def test_kiosk_is_a_notify_service_with_a_watchdog_and_a_restart_limit():
    assert one(KIOSK, "Type") == "notify"
    assert one(KIOSK, "NotifyAccess") == "main"
    assert re.fullmatch(r"\d+s?", one(KIOSK, "WatchdogSec"))
    assert one(KIOSK, "Restart") == "on-failure"
    unit_section = sections(KIOSK)["Unit"]
    assert re.search(r"^StartLimitBurst=\d+$", unit_section, re.M)
    assert re.search(r"^StartLimitIntervalSec=\d+", unit_section, re.M)
    for name in one(KIOSK, "OnFailure").split():
        assert (UNIT_DIR / name).is_file(), f"OnFailure names {name}, which is not in systemd/"


def test_kiosk_runs_full_screen_on_tty1_through_kmsdrm():
    assert one(KIOSK, "ExecStart") == (
        "/opt/balance-trainer/venv/bin/balance-trainer play --fullscreen"
    )
    env = settings(KIOSK)["Environment"]
    assert "SDL_VIDEODRIVER=kmsdrm" in env
    assert one(KIOSK, "TTYPath") == "/dev/tty1"
    assert one(KIOSK, "StandardInput") == "tty"
    assert one(KIOSK, "StandardOutput") == "journal"
    assert one(KIOSK, "StandardError") == "journal"
    assert "getty@tty1.service" in one(KIOSK, "Conflicts").split()
    assert one(KIOSK, "WantedBy") == "multi-user.target"


def test_kiosk_runs_unprivileged_with_only_its_data_writable():
    assert one(KIOSK, "User") == "balance-trainer"
    assert one(KIOSK, "NoNewPrivileges") == "yes"
    assert one(KIOSK, "CapabilityBoundingSet") == ""
    assert one(KIOSK, "AmbientCapabilities") == ""
    assert one(KIOSK, "ProtectSystem") == "strict"
    assert one(KIOSK, "ProtectHome") == "yes"
    assert one(KIOSK, "PrivateTmp") == "yes"
    assert one(KIOSK, "StateDirectory") == "balance-trainer"
    assert one(KIOSK, "StateDirectoryMode") == "0700"
    assert "ReadWritePaths" not in settings(KIOSK)


def test_kiosk_keeps_the_devices_the_trainer_uses():
    s = settings(KIOSK)
    assert s.get("PrivateDevices", ["no"])[-1] == "no"
    assert one(KIOSK, "DevicePolicy") == "closed"
    allowed = {v.split()[0]: v.split()[1] for v in s["DeviceAllow"]}
    for device in ("char-drm", "char-gpiochip", "char-input", "char-alsa", "/dev/tty1"):
        assert allowed.get(device) == "rw", f"{device} is not allowed read-write"
    # Hiding the devices' groups or /proc would break the display, sound or gpiozero.
    assert s.get("PrivateUsers", ["no"])[-1] == "no"
    assert s.get("ProcSubset", ["all"])[-1] == "all"


def test_kiosk_lets_the_chip_reader_raise_its_priority_without_root():
    from hardware import reader

    assert int(one(KIOSK, "LimitRTPRIO")) >= reader.RT_PRIORITY
    assert int(one(KIOSK, "LimitNICE")) <= reader.NICE
    assert one(KIOSK, "RestrictRealtime") == "no"
    assert one(KIOSK, "CapabilityBoundingSet") == ""  # the limits do it; no CAP_SYS_NICE


# --- in step with install.sh and the app ------------------------------------------------------


def test_units_and_install_script_agree_on_paths_and_names():
    assert one(KIOSK, "User") == install_var("SERVICE_USER")
    assert one(KIOSK, "ExecStart").startswith(install_var("VENV") + "/bin/balance-trainer ")
    assert (
        f"BALANCE_TRAINER_CONFIG={install_var('SETTINGS_FILE')}" in settings(KIOSK)["Environment"]
    )
    assert one(KIOSK, "WorkingDirectory") == install_var("DATA_DIR")
    assert "/var/lib/" + one(KIOSK, "StateDirectory") == install_var("DATA_DIR")
    units = install_var("UNITS").strip("()").split()
    assert sorted(units) == sorted(u.name for u in UNITS)
    assert install_var("MAIN_UNIT") == KIOSK.name


def test_exec_start_is_a_command_the_cli_accepts():
    from balance_trainer import cli

    argv = one(KIOSK, "ExecStart").split()[1:]
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    if argv[0] not in sub.choices:
        pytest.skip(f"the '{argv[0]}' command is not registered yet (games app)")
    args = parser.parse_args(argv)
    assert args.command == argv[0] and callable(args.func)
