//go:build !unix

package main

import "os"

func notifyDumpSignal(chan<- os.Signal) {}
