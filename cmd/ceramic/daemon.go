package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/internal/logging"
	"github.com/goceramic/ceramic/node"
)

// stopTimeout bounds a graceful stop; past it the process exits with an error.
const stopTimeout = 10 * time.Second

// runDaemon loads the configuration (file < environment < flags), starts the node and runs it
// until SIGINT or SIGTERM.
func runDaemon(args []string, stdout, stderr io.Writer) int {
	flags, err := config.ParseDaemonFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n(run 'ceramic daemon --help' for the list of options)\n", err)
		return 1
	}
	if flags.Help {
		fmt.Fprint(stdout, config.DaemonUsage())
		return 0
	}
	if flags.Version {
		printVersion(stdout)
		return 0
	}
	loaded, log, err := loadConfig(flags, stderr)
	if err != nil {
		return startupFailed(stderr, err)
	}
	cfg := loaded.Config
	if loaded.Generated {
		log.Info("Wrote a default configuration file", "path", loaded.Path)
	} else {
		log.Info("Read configuration file", "path", loaded.Path)
	}

	n, err := node.New(cfg, node.WithLogger(log))
	if err != nil {
		return startupFailed(stderr, err)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	dumps := make(chan os.Signal, 1)
	notifyDumpSignal(dumps)
	defer signal.Stop(dumps)

	startCtx, cancelStart := context.WithCancel(context.Background())
	startErr := make(chan error, 1)
	go func() { startErr <- n.Start(startCtx) }()
	for started := false; !started; {
		select {
		case err := <-startErr:
			if err != nil {
				cancelStart()
				_ = n.Close()
				return startupFailed(stderr, err)
			}
			started = true
		case s := <-sigs:
			log.Info("Signal received during start-up; stopping", "signal", s.String())
			cancelStart()
			<-startErr
			return stop(n, log, sigs)
		}
	}
	cancelStart()

	for {
		select {
		case s := <-sigs:
			log.Info("Signal received; stopping", "signal", s.String())
			return stop(n, log, sigs)
		case err := <-n.Err():
			log.Error("Ceramic node failed; stopping", "err", err)
			stop(n, log, sigs)
			return 1
		case <-dumps:
			writeHeapProfile(log, filepath.Dir(loaded.Path))
		}
	}
}

// stop closes the node within stopTimeout. A second signal exits at once.
func stop(n *node.Node, log *slog.Logger, sigs <-chan os.Signal) int {
	done := make(chan error, 1)
	go func() { done <- n.Close() }()
	select {
	case err := <-done:
		if err != nil {
			log.Error("Ceramic node stopped with errors", "err", err)
			return 1
		}
		return 0
	case <-sigs:
		log.Warn("Shutting down...")
		return 130
	case <-time.After(stopTimeout):
		log.Error("Ceramic node did not stop in time", "timeout", stopTimeout)
		return 1
	}
}

// loadConfig loads the configuration (file < environment < flags) and makes the console
// logger it asks for; the loader's warnings are logged.
func loadConfig(flags config.Flags, stderr io.Writer) (*config.Loaded, *slog.Logger, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot find the home directory: %w", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the working directory: %w", err)
	}
	loaded, err := config.Load(config.LoadOptions{Flags: flags, Getenv: os.Getenv, HomeDir: home, WorkDir: wd})
	if err != nil {
		return nil, nil, err
	}
	// The environment of the go-ipfs-daemon image (swarm ports, announce addresses, S3, …).
	container, err := config.ApplyContainerEnv(&loaded.Config, os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	loaded.Warnings = append(loaded.Warnings, container.Warnings...)
	if s3 := container.S3; s3.Enabled {
		ipfs := &loaded.Config.IPFS
		ipfs.S3Bucket, ipfs.S3Region, ipfs.S3RootDirectory = s3.Bucket, s3.Region, s3.RootDirectory
		ipfs.S3Endpoint, ipfs.S3KeyTransform = s3.Endpoint, s3.KeyTransform
		ipfs.S3AccessKeyID, ipfs.S3SecretAccessKey = s3.AccessKeyID, s3.SecretAccessKey
		if err := loaded.Config.Validate(); err != nil {
			return nil, nil, err
		}
	}
	loaded.Config.IPFS.Identity = container.Identity
	level := 2
	if l := loaded.Config.Logger.LogLevel; l != nil {
		level = *l
	}
	log := logging.NewConsole(stderr, logging.Level(level))
	for _, w := range loaded.Warnings {
		log.Warn(w)
	}
	return loaded, log, nil
}

func startupFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "Ceramic daemon failed to start up: %v\n", err)
	if errors.Is(err, node.ErrInUse) {
		fmt.Fprintln(stderr, "Another process holds a port or directory this node needs; stop it or change the configuration.")
	}
	return 1
}

// writeHeapProfile writes a heap profile next to the config file (the Go counterpart of the
// heap snapshot js-ceramic writes on SIGUSR2).
func writeHeapProfile(log *slog.Logger, dir string) {
	name := filepath.Join(dir, "ceramic-"+time.Now().UTC().Format("2006-01-02T15:04:05Z")+".heapprofile")
	f, err := os.Create(name)
	if err != nil {
		log.Error("Could not write heap profile", "err", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		log.Error("Could not write heap profile", "err", err)
		return
	}
	log.Info("Wrote heap profile", "path", name)
}
