package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/node"
)

// defaultAnchorServicePort is where `ceramic anchor-service` listens without
// anchor-service.port: the anchor service URL of js-ceramic's local network.
const defaultAnchorServicePort = 8081

const anchorServiceUsage = `Usage: ceramic anchor-service [options]

Runs the built-in anchor service alone, serving the Ceramic Anchor Service HTTP API
(POST /api/v0/requests, GET /api/v0/requests/<cid>, GET /api/v0/service-info/supported_chains)
so that Ceramic nodes, js-ceramic included, can use it as their anchor.anchor-service-url.
It anchors each batch of requests with one anchorDagCbor(bytes32) transaction on an EVM chain.

It reads the "anchor-service" section of daemon.config.json (the daemon's options below
choose the file and network). Required: anchor-service.ethereum-rpc-url (or
anchor.ethereum-rpc-url) and the sending account's key, in anchor-service.private-key-file or
the environment variable CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY. It listens on
anchor-service.hostname:anchor-service.port (default 0.0.0.0:8081).

Options: those of 'ceramic daemon' (see ceramic daemon --help).
`

// runAnchorService runs the built-in anchor service until SIGINT or SIGTERM.
func runAnchorService(args []string, stdout, stderr io.Writer) int {
	flags, err := config.ParseDaemonFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n(run 'ceramic anchor-service --help' for the options)\n", err)
		return 1
	}
	if flags.Help {
		fmt.Fprint(stdout, anchorServiceUsage)
		return 0
	}
	loaded, log, err := loadConfig(flags, stderr)
	if err != nil {
		return anchorServiceFailed(stderr, err)
	}
	cfg := loaded.Config
	cfg.AnchorService.Enabled = true
	if cfg.AnchorService.Port == nil {
		p := config.Port(defaultAnchorServicePort)
		cfg.AnchorService.Port = &p
	}
	svc, err := node.NewAnchorService(cfg, node.WithLogger(log))
	if err != nil {
		return anchorServiceFailed(stderr, err)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan error, 1)
	go func() { started <- svc.Start(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			_ = svc.Close()
			return anchorServiceFailed(stderr, err)
		}
	case s := <-sigs:
		log.Info("Signal received during start-up; stopping", "signal", s.String())
		cancel()
		<-started
		_ = svc.Close()
		return 0
	}
	s := <-sigs
	log.Info("Signal received; stopping", "signal", s.String())
	if err := svc.Close(); err != nil {
		log.Error("Anchor service stopped with errors", "err", err)
		return 1
	}
	return 0
}

func anchorServiceFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "Anchor service failed to start up: %v\n", err)
	return 1
}
