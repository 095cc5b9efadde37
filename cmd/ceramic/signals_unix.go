//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
)

func notifyDumpSignal(c chan<- os.Signal) { signal.Notify(c, syscall.SIGUSR2) }
