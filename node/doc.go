// Package node assembles a Ceramic node: the IPFS node (kubo embedded in this process, or
// an external kubo over its RPC API), the Ceramic pubsub topic, the HTTP API and the
// operational endpoints (IPFS healthcheck, Prometheus metrics, kubo RPC API).
//
// It is the only package that imports kubo. A node is built from plain data
// ([config.Config]) and live objects passed as options:
//
//	cfg := config.Default()
//	cfg.Network.Name = "inmemory"
//	n, err := node.New(cfg, node.WithLogger(logger), node.WithRegisterer(reg))
//	if err != nil { ... }
//	if err := n.Start(ctx); err != nil { ... } // ctx bounds start-up only
//	defer n.Close()                              // idempotent, ordered
//	<-n.Ready()
//
// # Lifecycle
//
// [New] validates the configuration, opens the log files and the IPFS repository (taking its
// lock, so a second process on the same directories fails here). [Node.Start] brings IPFS
// online, joins the network topic, connects to the network's peers and finally opens the
// listeners; the HTTP API answers only once everything before it works. [Node.Close] undoes
// this in reverse order and returns when every goroutine of the node has exited.
//
// An empty ipfs.repo-path gives an in-memory IPFS repository, and port 0 picks a free port, so
// several nodes can run in one process (tests do this).
package node
