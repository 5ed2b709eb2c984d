#!/usr/bin/python3
"""Runs a command under the seccomp rules a systemd unit file asks for, as systemd 252 builds
them: SystemCallFilter= (expanded with `systemd-analyze syscall-filter`),
MemoryDenyWriteExecute=, RestrictAddressFamilies= and RestrictNamespaces=.

    seccomp-exec.py UNIT_FILE -- COMMAND [ARG...]

Used by dist/check/sandbox.sh where systemd is not PID 1 and cannot start the unit itself.
Stricter than the unit: a system call outside the allow list kills the process (SIGSYS) even
though the unit says SystemCallErrorNumber=EPERM, so a call the binary makes is never hidden by
an error it happens to tolerate. Needs python3-seccomp and NoNewPrivileges (setpriv
--no-new-privs) or CAP_SYS_ADMIN.
"""

import errno
import os
import socket
import subprocess
import sys

import seccomp


def unit_values(path, key):
    """Every assignment of `key` in the unit file, an empty one resetting the list."""
    values = []
    with open(path, encoding="utf-8") as unit:
        for line in unit:
            line = line.strip()
            if line.startswith(key + "="):
                value = line[len(key) + 1 :]
                values = [] if value == "" else values + [value]
    return values


def expand(group, seen):
    """The system calls of a @group, nested groups included."""
    names = set()
    listing = subprocess.run(
        ["systemd-analyze", "syscall-filter", group], check=True, capture_output=True, text=True
    ).stdout
    for line in listing.splitlines()[1:]:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("@"):
            if entry not in seen:
                seen.add(entry)
                names |= expand(entry, seen)
        else:
            names.add(entry)
    return names


def syscall_names(words):
    names = set()
    for word in words.split():
        names |= expand(word, {word}) if word.startswith("@") else {word.split(":")[0]}
    return names


def filters_for(unit):
    filters = []
    # SystemCallFilter=: the first assignment decides allow- or deny-listing, later ones add to
    # or remove from the set. systemd always allows these, listed or not.
    allowed = None
    for value in unit_values(unit, "SystemCallFilter"):
        deny = value.startswith("~")
        names = syscall_names(value.lstrip("~"))
        if allowed is None:
            if deny:
                sys.exit("seccomp-exec: only allow-listing units are emulated")
            allowed = names | {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}
        elif deny:
            allowed -= names
        else:
            allowed |= names
    if allowed is not None:
        allow_list = seccomp.SyscallFilter(seccomp.KILL_PROCESS)
        for name in sorted(allowed):
            try:
                allow_list.add_rule(seccomp.ALLOW, name)
            except (RuntimeError, ValueError, OSError):
                pass  # not a system call of this architecture
        filters.append(allow_list)
    if unit_values(unit, "MemoryDenyWriteExecute") == ["yes"]:
        # No mapping both writable and executable, no mprotect() adding PROT_EXEC.
        prot_write, prot_exec, shm_exec = 0x2, 0x4, 0o100000
        mdwe = seccomp.SyscallFilter(seccomp.ALLOW)
        write_exec = prot_write | prot_exec
        mdwe.add_rule(seccomp.ERRNO(errno.EPERM), "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, write_exec, write_exec))
        for name in ("mprotect", "pkey_mprotect"):
            mdwe.add_rule(seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(2, seccomp.MASKED_EQ, prot_exec, prot_exec))
        mdwe.add_rule(seccomp.ERRNO(errno.EPERM), "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, shm_exec, shm_exec))
        filters.append(mdwe)
    families = unit_values(unit, "RestrictAddressFamilies")
    if families:
        keep = {int(getattr(socket, name)) for value in families for name in value.split()}
        sockets = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in range(64):
            if family not in keep:
                sockets.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
        sockets.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.GT, 63))
        filters.append(sockets)
    if unit_values(unit, "RestrictNamespaces") == ["yes"]:
        namespaces = seccomp.SyscallFilter(seccomp.ALLOW)
        namespaces.add_rule(seccomp.ERRNO(errno.EPERM), "unshare")
        namespaces.add_rule(seccomp.ERRNO(errno.EPERM), "setns")
        namespaces.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
        for flag in (0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000, 0x80):
            namespaces.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        filters.append(namespaces)
    return filters


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    unit, command = sys.argv[1], sys.argv[3:]
    filters = filters_for(unit)
    if not filters:
        sys.exit(f"seccomp-exec: {unit} asks for no seccomp rules")
    # The allow list goes last: it does not allow seccomp() itself.
    for installed in reversed(filters):
        installed.load()
    os.execv(command[0], command)


main()
