//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// setGroup puts the server in a process group of its own, so that its
// children (uvicorn's workers) stop with it.
func setGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// terminate asks the server's process group to stop.
func terminate(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

// kill stops the server's process group at once.
func kill(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
