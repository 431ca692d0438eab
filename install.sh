#!/usr/bin/env bash
# Install balance-trainer on a Raspberry Pi so that it boots straight into the trainer:
# apt packages, a virtual environment under /opt/balance-trainer, the service user, the board
# and settings files under /etc/balance-trainer, the data folder /var/lib/balance-trainer and
# the systemd units from systemd/. Run it from the cloned repository:
#
#     sudo ./install.sh            # install or update; safe to run again
#     sudo ./install.sh --dry-run  # print every step, change nothing
#     sudo ./install.sh --uninstall [--purge]
#
# Every step first checks whether it is already done, so a second run changes nothing.
# Output: "+ command" for a step taken (or that would be taken, with --dry-run), "= ..." for a
# step already done, "! ..." (on stderr) for a warning.

set -euo pipefail
# Root's umask may be 077; the service user must still be able to read the venv and units.
umask 022

readonly SERVICE_USER=balance-trainer
readonly USER_GROUPS=(gpio video render input audio)
readonly OPT_DIR=/opt/balance-trainer
readonly VENV=$OPT_DIR/venv
readonly STATE_FILE=$OPT_DIR/install-state
readonly FINGERPRINT_FILE=$OPT_DIR/source.sha256
readonly ETC_DIR=/etc/balance-trainer
readonly BOARD_FILE=$ETC_DIR/board.toml
readonly SETTINGS_FILE=$ETC_DIR/balance-trainer.toml
readonly DATA_DIR=/var/lib/balance-trainer
readonly UNIT_DIR=/etc/systemd/system
readonly UNITS=(balance-trainer.service balance-trainer-failed.service)
readonly MAIN_UNIT=balance-trainer.service
readonly GETTY_UNIT=getty@tty1.service
readonly DEFAULT_PRESET=two-plate-4
# python3-lgpio: gpiozero's pin library on every Pi model (the venv sees it through
# --system-site-packages). The pygame-ce wheel bundles SDL but SDL loads the display stack at
# run time with dlopen(): libdrm.so.2 and libgbm.so.1 for KMSDRM, libEGL.so.1 and
# libGLESv2.so.2 to draw, Mesa's EGL vendor library and its vc4/v3d drivers behind them,
# libudev.so.1 to find keyboards, and libasound.so.2 for sound (alsa-utils brings it, under
# its Bookworm or its Trixie name, plus aplay/amixer for checking the speaker).
# python3-evdev: the Wii Balance Board's input device (the venv sees it as it sees lgpio).
# espeak-ng speaks the test instructions (games/speech.py).
readonly APT_PACKAGES=(
    python3-venv python3-lgpio
    libdrm2 libgbm1 libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri libudev1 alsa-utils
    python3-evdev espeak-ng
)
readonly SOUND_DROPIN=$UNIT_DIR/balance-trainer.service.d/sound.conf

DRY_RUN=0
UNINSTALL=0
PURGE=0
NO_APT=0
ROOT=""
SYSTEMCTL=(systemctl)
CHANGES=0
BUILD_DIR=""
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

usage() {
    cat <<EOF
Usage: sudo ./install.sh [--dry-run] [--root DIR] [--no-apt] [--uninstall [--purge]]

Installs balance-trainer from this repository ($SRC) as a kiosk on tty1.

  --dry-run     print every step it would take and change nothing
  --root DIR    treat DIR as the root of the file system (tests, inspecting an image): all
                paths move under DIR; useradd/usermod/groupadd get --prefix DIR and
                systemctl gets --root=DIR. apt-get and pip still run on this machine.
  --no-apt      do not install apt packages (they are already there, or no network)
  --uninstall   remove the units, the venv and the login-screen changes; keeps the data
                ($DATA_DIR) and settings ($ETC_DIR)
  --purge       with --uninstall: also delete the data, the settings and the service user
  -h, --help    show this help
EOF
}

die() {
    local status=$1
    shift
    printf 'install.sh: %s\n' "$*" >&2
    exit "$status"
}

warn() { printf '! %s\n' "$*" >&2; }
done_already() { printf '= %s\n' "$*"; }

# One argument as the shell would need it typed: bare when safe, else in single quotes.
shell_word() {
    if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

# Print a step as a shell command line; run it unless this is a dry run.
run() {
    local arg line=""
    for arg in "$@"; do
        line+="$(shell_word "$arg") "
    done
    printf '+ %s\n' "${line% }"
    CHANGES=$((CHANGES + 1))
    if ((DRY_RUN)); then
        return 0
    fi
    "$@"
}

# Write stdin to a file with a mode, as one step.
write_file() {
    local path=$1 mode=$2 content
    content=$(cat)
    printf '+ write %s (mode %s)\n' "$path" "$mode"
    CHANGES=$((CHANGES + 1))
    if ((DRY_RUN)); then
        return 0
    fi
    printf '%s\n' "$content" >"$path"
    chmod "$mode" "$path"
}

# A path as seen on this machine: the real path under --root.
p() { printf '%s%s' "$ROOT" "$1"; }

parse_args() {
    local given="$*"
    while (($#)); do
        case $1 in
        --dry-run) DRY_RUN=1 ;;
        --uninstall) UNINSTALL=1 ;;
        --purge) PURGE=1 ;;
        --no-apt) NO_APT=1 ;;
        --root)
            (($# >= 2)) || die 2 "--root needs a directory, e.g. --root /tmp/fakeroot"
            ROOT=$2
            shift
            ;;
        --root=*) ROOT=${1#--root=} ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die 2 "unknown option '$1'; see ./install.sh --help" ;;
        esac
        shift
    done
    if ((PURGE && !UNINSTALL)); then
        die 2 "--purge only goes with --uninstall (it deletes the data); add --uninstall"
    fi
    if [[ -n $ROOT ]]; then
        [[ -d $ROOT ]] || die 2 "--root '$ROOT' is not a directory; create it first"
        ROOT=$(cd "$ROOT" && pwd -P)
        [[ $ROOT == / ]] && ROOT=""
    fi
    # systemctl acting on the root we install into.
    [[ -n $ROOT ]] && SYSTEMCTL=(systemctl --root="$ROOT")
    if ((!DRY_RUN)) && [[ -z $ROOT ]] && ((EUID != 0)); then
        die 1 "this changes the system and must run as root: sudo $0 $given"
    fi
    return 0
}

# True when systemd runs this machine and we act on it (not on a fake root).
live_systemd() { [[ -z $ROOT && -d /run/systemd/system ]]; }

unit_enabled() { [[ $("${SYSTEMCTL[@]}" is-enabled "$1" 2>/dev/null || true) == enabled ]]; }

# --prefix for the shadow tools when acting on another root.
shadow_prefix() { [[ -n $ROOT ]] && printf '%s\n' --prefix "$ROOT"; }

group_exists() { [[ -f $(p /etc/group) ]] && awk -F: -v g="$1" '$1 == g { f = 1 } END { exit !f }' "$(p /etc/group)"; }
user_exists() { [[ -f $(p /etc/passwd) ]] && awk -F: -v u="$1" '$1 == u { f = 1 } END { exit !f }' "$(p /etc/passwd)"; }

# Group names the user is a supplementary member of, one a line.
user_member_of() {
    awk -F: -v u="$1" '{ n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) print $1 }' "$(p /etc/group)"
}

# "uid:gid" of the user from the passwd file under the root.
user_ids() { awk -F: -v u="$1" '$1 == u { print $3 ":" $4 }' "$(p /etc/passwd)"; }

state_get() {
    [[ -f $(p "$STATE_FILE") ]] || return 0
    awk -F= -v k="$1" '$1 == k { v = substr($0, length(k) + 2) } END { if (v != "") print v }' "$(p "$STATE_FILE")"
}

state_set() {
    local key=$1 value=$2 rest=""
    if [[ -f $(p "$STATE_FILE") ]]; then
        rest=$(grep -v "^$key=" "$(p "$STATE_FILE")" || true)
    fi
    printf '%s\n%s=%s\n' "$rest" "$key" "$value" | sed '/^$/d' | write_file "$(p "$STATE_FILE")" 0644
}

# A hash of everything pip would install, so an unchanged clone is not reinstalled.
source_fingerprint() {
    (
        cd "$SRC"
        {
            find pyproject.toml README.md balance_trainer hardware games -type f \
                ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 2>/dev/null || true
        } | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1
    )
}

# Copy what pip needs from the clone (not its history, venvs, tests or build leftovers).
copy_clone_to() {
    tar -C "$SRC" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist \
        --exclude=./tests --exclude=./benchmarks --exclude='*.egg-info' --exclude=__pycache__ \
        -cf - . | tar -C "$1" -xf -
}

cleanup() {
    if [[ -n $BUILD_DIR && -d $BUILD_DIR ]]; then
        rm -rf "$BUILD_DIR"
    fi
}
trap cleanup EXIT

# --- install steps ------------------------------------------------------------------------------

check_source() {
    [[ -f $SRC/pyproject.toml && -f $SRC/systemd/$MAIN_UNIT ]] ||
        die 2 "$SRC does not look like the balance-trainer repository (no pyproject.toml or systemd/$MAIN_UNIT); run install.sh from the clone"
    [[ -f $SRC/balance_trainer/boards/$DEFAULT_PRESET.toml ]] ||
        die 2 "the default board balance_trainer/boards/$DEFAULT_PRESET.toml is missing from $SRC"
}

check_platform() {
    local arch
    arch=$(uname -m)
    if [[ $arch != aarch64 ]]; then
        warn "this is $arch, not aarch64: pygame-ce's wheels with a KMSDRM-capable SDL are built for 64-bit Raspberry Pi OS; on 32-bit pip may build pygame-ce from source"
    fi
    local cfg
    for cfg in /boot/firmware/config.txt /boot/config.txt; do
        if [[ -f $(p "$cfg") ]]; then
            if ! grep -Eq '^[[:space:]]*dtoverlay=vc4-(f)?kms-v3d' "$(p "$cfg")"; then
                warn "$cfg has no 'dtoverlay=vc4-kms-v3d': without the KMS driver the screen stays black; add that line under [all] and reboot"
            fi
            break
        fi
    done
}

install_apt_packages() {
    if ((NO_APT)); then
        done_already "apt packages: skipped (--no-apt)"
        return
    fi
    local pkg missing=() admindir=()
    [[ -n $ROOT ]] && admindir=(--admindir="$(p /var/lib/dpkg)")
    for pkg in "${APT_PACKAGES[@]}"; do
        if [[ $(dpkg-query "${admindir[@]}" -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) != installed ]]; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        done_already "apt packages installed: ${APT_PACKAGES[*]}"
        return
    fi
    run env DEBIAN_FRONTEND=noninteractive apt-get update
    if ((!DRY_RUN)); then
        for pkg in "${missing[@]}"; do
            if [[ $(apt-cache policy "$pkg" 2>/dev/null) != *"Candidate: "[0-9]* ]]; then
                die 1 "apt has no package '$pkg'. python3-lgpio comes from the Raspberry Pi OS archive: install on Raspberry Pi OS (Bookworm or newer), or use --no-apt and install the packages yourself"
            fi
        done
    fi
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

make_venv() {
    local cfg
    cfg=$(p "$VENV/pyvenv.cfg")
    if [[ -x $(p "$VENV/bin/python") && -f $cfg ]] &&
        grep -Eq '^include-system-site-packages *= *true' "$cfg"; then
        done_already "virtual environment $VENV (sees the system's lgpio)"
        return
    fi
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        if ((DRY_RUN)); then
            warn "python3 is missing or older than 3.11; balance-trainer needs 3.11 or newer"
        else
            die 1 "python3 is missing or older than 3.11; balance-trainer needs Raspberry Pi OS Bookworm or newer"
        fi
    fi
    if [[ -d $(p "$VENV") ]]; then
        # A venv that cannot see the system's lgpio is rebuilt from scratch.
        run python3 -m venv --clear --system-site-packages "$(p "$VENV")"
        if ((!DRY_RUN)); then rm -f "$(p "$FINGERPRINT_FILE")"; fi
    else
        run install -d -m 0755 "$(p "$OPT_DIR")"
        run python3 -m venv --system-site-packages "$(p "$VENV")"
    fi
}

install_project() {
    local want have=""
    want=$(source_fingerprint)
    [[ -f $(p "$FINGERPRINT_FILE") ]] && have=$(cat "$(p "$FINGERPRINT_FILE")")
    if [[ $want == "$have" && -x $(p "$VENV/bin/balance-trainer") ]]; then
        done_already "balance-trainer installed in $VENV from this source"
        return
    fi
    # pip builds in the source folder; a copy keeps root-owned build files out of the clone.
    if ((DRY_RUN)); then
        BUILD_DIR=/tmp/balance-trainer-build.XXXXXX
    else
        BUILD_DIR=$(mktemp -d /tmp/balance-trainer-build.XXXXXX)
    fi
    run copy_clone_to "$BUILD_DIR"
    run "$(p "$VENV/bin/python")" -m pip install --disable-pip-version-check --no-input \
        --upgrade "$BUILD_DIR"
    printf '%s\n' "$want" | write_file "$(p "$FINGERPRINT_FILE")" 0644
}

make_user() {
    local group prefix=() missing=() member
    mapfile -t prefix < <(shadow_prefix)
    for group in "${USER_GROUPS[@]}"; do
        if ! group_exists "$group"; then
            [[ $group == gpio ]] &&
                warn "no 'gpio' group: not Raspberry Pi OS? /dev/gpiochip* must be made group gpio (udev) for the board to be read"
            run groupadd "${prefix[@]}" --system "$group"
        fi
    done
    if user_exists "$SERVICE_USER"; then
        done_already "user $SERVICE_USER exists"
    else
        run useradd "${prefix[@]}" --system --user-group --home-dir "$DATA_DIR" --no-create-home \
            --shell /usr/sbin/nologin --comment "balance trainer kiosk" "$SERVICE_USER"
    fi
    member=" $( (user_member_of "$SERVICE_USER" 2>/dev/null || true) | tr '\n' ' ')"
    for group in "${USER_GROUPS[@]}"; do
        [[ $member == *" $group "* ]] || missing+=("$group")
    done
    if ((${#missing[@]} == 0)); then
        done_already "user $SERVICE_USER is in groups ${USER_GROUPS[*]}"
        return
    fi
    local joined
    joined=$(
        IFS=,
        printf '%s' "${missing[*]}"
    )
    run usermod "${prefix[@]}" --append --groups "$joined" "$SERVICE_USER"
}

install_config() {
    if [[ -d $(p "$ETC_DIR") ]]; then
        done_already "folder $ETC_DIR"
    else
        run install -d -m 0755 "$(p "$ETC_DIR")"
    fi
    local preset=$SRC/balance_trainer/boards/$DEFAULT_PRESET.toml
    if [[ -e $(p "$BOARD_FILE") ]]; then
        if cmp -s "$preset" "$(p "$BOARD_FILE")"; then
            done_already "board file $BOARD_FILE ($DEFAULT_PRESET)"
        else
            done_already "board file $BOARD_FILE kept as edited (not overwritten)"
        fi
    else
        run install -m 0644 "$preset" "$(p "$BOARD_FILE")"
    fi
    if [[ -e $(p "$SETTINGS_FILE") ]]; then
        done_already "settings file $SETTINGS_FILE kept (not overwritten)"
    else
        write_file "$(p "$SETTINGS_FILE")" 0644 <<EOF
# balance-trainer settings for the kiosk service; install.sh writes this once and never again.
# The board: a preset name (two-plate-4, corners-4, two-plate-8, sim) or a board file.
board = "$BOARD_FILE"
# Calibrations, recordings and the database (health data: keep this folder 0700).
data_dir = "$DATA_DIR"
EOF
    fi
}

make_data_dir() {
    local ids owner
    ids=$(user_ids "$SERVICE_USER" 2>/dev/null || true)
    owner=${ids:-$SERVICE_USER:$SERVICE_USER}
    if [[ ! -d $(p "$DATA_DIR") ]]; then
        run install -d -m 0700 -o "${owner%%:*}" -g "${owner##*:}" "$(p "$DATA_DIR")"
        return
    fi
    local ok=1
    if [[ $(stat -c %a "$(p "$DATA_DIR")") != 700 ]]; then
        run chmod 0700 "$(p "$DATA_DIR")"
        ok=0
    fi
    if [[ $(stat -c %u:%g "$(p "$DATA_DIR")") != "$owner" ]]; then
        # The user was made again with another uid: hand the old data to the new one.
        run chown -R "$owner" "$(p "$DATA_DIR")"
        ok=0
    fi
    ((ok)) && done_already "data folder $DATA_DIR (0700, owned by $SERVICE_USER)"
    return 0
}

install_units() {
    local unit changed=0
    for unit in "${UNITS[@]}"; do
        if cmp -s "$SRC/systemd/$unit" "$(p "$UNIT_DIR/$unit")"; then
            done_already "unit $UNIT_DIR/$unit up to date"
        else
            run install -D -m 0644 "$SRC/systemd/$unit" "$(p "$UNIT_DIR/$unit")"
            changed=1
        fi
    done
    if ((changed)) && live_systemd; then
        run systemctl daemon-reload
    fi
    if unit_enabled "$MAIN_UNIT"; then
        done_already "unit $MAIN_UNIT enabled"
    else
        run "${SYSTEMCTL[@]}" enable "$MAIN_UNIT"
    fi
}

take_tty1() {
    # The kiosk draws on tty1; a login prompt there would fight it for the console.
    if unit_enabled "$GETTY_UNIT"; then
        run "${SYSTEMCTL[@]}" disable "$GETTY_UNIT"
        state_set disabled_getty yes
    else
        done_already "no login prompt on tty1 ($GETTY_UNIT not enabled)"
    fi
    # A desktop holds the display (DRM master), so boot to the console instead.
    local target
    target=$("${SYSTEMCTL[@]}" get-default 2>/dev/null || true)
    if [[ $target == graphical.target ]]; then
        warn "the desktop would hold the screen: booting to the console from now on (--uninstall restores the desktop)"
        run "${SYSTEMCTL[@]}" set-default multi-user.target
        state_set previous_default_target "$target"
    else
        done_already "boots to the console (${target:-default target unknown})"
    fi
}

# The sound card a person hears: a Pi 4 may send sound to HDMI (a monitor without speakers),
# a Pi 5 has no jack. Prefer a USB card or the headphone jack over HDMI; SDL's ALSA output
# takes the card from AUDIODEV. An existing choice (edited by hand) is kept.
choose_sound_card() {
    local cards line id chosen=""
    cards=$(p /proc/asound/cards)
    if [[ -f $(p "$SOUND_DROPIN") ]]; then
        done_already "sound card chosen in $SOUND_DROPIN (edit it to change; aplay -l lists the cards)"
        return
    fi
    if [[ ! -r $cards ]]; then
        done_already "no sound cards listed in /proc/asound/cards: sound stays on ALSA's default"
        return
    fi
    while IFS= read -r line; do
        [[ $line =~ ^[[:space:]]*[0-9]+[[:space:]]+\[([A-Za-z0-9_]+)[[:space:]]*\] ]] || continue
        id=${BASH_REMATCH[1]}
        if [[ ${id,,} == *hdmi* || ${line,,} == *hdmi* ]]; then
            continue
        fi
        if [[ -z $chosen || ${line,,} == *usb* ]]; then
            chosen=$id
        fi
    done <"$cards"
    if [[ -z $chosen ]]; then
        warn "only HDMI sound cards: sound goes to the screen's speakers, if it has any (plug in a USB speaker and run the installer again)"
        return
    fi
    run install -d -m 0755 "$(p "${SOUND_DROPIN%/*}")"
    printf '[Service]\n# The card the person hears (chosen by install.sh; aplay -l lists them).\nEnvironment=AUDIODEV=plughw:CARD=%s\n' "$chosen" |
        write_file "$(p "$SOUND_DROPIN")" 0644
}

do_install() {
    check_source
    check_platform
    install_apt_packages
    make_venv
    install_project
    make_user
    install_config
    make_data_dir
    install_units
    choose_sound_card
    take_tty1
    if ((CHANGES == 0)); then
        printf 'Nothing to change: balance-trainer is installed and up to date.\n'
    elif ((DRY_RUN)); then
        printf 'Dry run: %d step(s) above would be taken; nothing was changed.\n' "$CHANGES"
    else
        printf 'Installed. Reboot to start the trainer on the screen: sudo reboot\n'
    fi
}

# --- uninstall ----------------------------------------------------------------------------------

do_uninstall() {
    local unit previous
    if unit_enabled "$MAIN_UNIT"; then
        run "${SYSTEMCTL[@]}" disable "$MAIN_UNIT"
    fi
    if live_systemd && systemctl is-active --quiet "$MAIN_UNIT"; then
        run systemctl stop "$MAIN_UNIT"
    fi
    if [[ -e $(p "$SOUND_DROPIN") ]]; then
        run rm -rf "$(p "${SOUND_DROPIN%/*}")"
    fi
    for unit in "${UNITS[@]}"; do
        if [[ -e $(p "$UNIT_DIR/$unit") ]]; then
            run rm -f "$(p "$UNIT_DIR/$unit")"
        fi
    done
    live_systemd && run systemctl daemon-reload
    if [[ $(state_get disabled_getty) == yes ]] && ! unit_enabled "$GETTY_UNIT"; then
        run "${SYSTEMCTL[@]}" enable "$GETTY_UNIT"
    fi
    previous=$(state_get previous_default_target)
    if [[ -n $previous ]]; then
        run "${SYSTEMCTL[@]}" set-default "$previous"
    fi
    if [[ -e $(p "$OPT_DIR") ]]; then
        run rm -rf "$(p "$OPT_DIR")"
    fi
    if ((PURGE)); then
        [[ -e $(p "$DATA_DIR") ]] && run rm -rf "$(p "$DATA_DIR")"
        [[ -e $(p "$ETC_DIR") ]] && run rm -rf "$(p "$ETC_DIR")"
        if user_exists "$SERVICE_USER"; then
            local prefix=()
            mapfile -t prefix < <(shadow_prefix)
            run userdel "${prefix[@]}" "$SERVICE_USER"
        fi
    else
        done_already "kept: data in $DATA_DIR, settings and board in $ETC_DIR, user $SERVICE_USER (--purge deletes them)"
    fi
    if ((CHANGES == 0)); then
        printf 'Nothing to remove: balance-trainer is not installed.\n'
    elif ((DRY_RUN)); then
        printf 'Dry run: %d step(s) above would be taken; nothing was changed.\n' "$CHANGES"
    else
        printf 'Uninstalled. Reboot to bring back the login prompt on tty1 (and the desktop, if it was on).\n'
    fi
}

main() {
    parse_args "$@"
    if ((DRY_RUN)); then
        printf 'Dry run: printing the steps; nothing is changed.\n'
    fi
    if ((UNINSTALL)); then
        do_uninstall
    else
        do_install
    fi
}

main "$@"
