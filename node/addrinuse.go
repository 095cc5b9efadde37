package node

import "syscall"

// errAddrInUse is the error a listener gets for a port another socket holds.
var errAddrInUse error = syscall.EADDRINUSE
