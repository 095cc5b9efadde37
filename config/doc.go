// Package config is the daemon configuration: the sections and keys of js-ceramic's
// daemon.config.json, plus the settings this node adds for its embedded IPFS.
//
// A Config is plain data. It round-trips through JSON with the exact key names js-ceramic
// uses (most are kebab-case, a few are camelCase or bare), so an operator's existing file
// loads unchanged. Values that js-ceramic distinguishes as "unset" are pointers or nil
// slices here.
//
// The package is a leaf: it imports only the standard library. The daemon builds a Config
// with [Load] (file < environment < flags); programs that embed the node start from
// [Default] and change fields.
//
// # Daemon usage
//
//	flags, err := config.ParseDaemonFlags(os.Args[2:]) // the arguments after "ceramic daemon"
//	if err != nil {
//		return err
//	}
//	if flags.Help {
//		fmt.Print(config.DaemonUsage())
//		return nil
//	}
//	home, _ := os.UserHomeDir()
//	wd, _ := os.Getwd()
//	loaded, err := config.Load(config.LoadOptions{
//		Flags:   flags,
//		Getenv:  os.Getenv,
//		HomeDir: home,
//		WorkDir: wd,
//	})
//	if err != nil {
//		return err // *config.Error (or several joined) for invalid values
//	}
//	for _, w := range loaded.Warnings {
//		logger.Warn(w)
//	}
//	logger.Info("config", "config", loaded.Config.Redacted())
//
// # Embedding
//
//	cfg := config.Default() // network inmemory, bundled IPFS, port 7007
//	cfg.Network.Name = config.NetworkTestnetClay
//	cfg.StateStore.LocalDirectory = "/var/lib/ceramic/statestore"
//	if err := cfg.Validate(); err != nil {
//		return err
//	}
//
// [Default] leaves the paths empty; [Load] fills them in. Validate checks values only and
// never touches the file system.
//
// # What Load does
//
//  1. Reads the file, or, when it does not exist, prepares the file js-ceramic 3.4.1 would
//     generate (with a fresh node seed). Relative paths in the file resolve against the
//     file's directory; "~" is the home directory and "~+" the working directory.
//  2. Applies the environment variables js-ceramic reads, then the command-line flags.
//  3. Fills in the default directories and applies the compatibility rules (node.gateway
//     means read-only; network "elp" means mainnet; state-store.local-directory only counts
//     when state-store.mode is "fs").
//  4. Validates. Only a valid configuration is returned, and only then is a generated file
//     written (mode 0600, it holds the seed).
//
// Anything the operator should hear about but that is not fatal (unknown keys, js-ceramic
// 2.x keys, deprecated flags, the compatibility rules above) comes back in
// [Loaded.Warnings].
//
// # Errors
//
// Invalid values are reported as [*Error], which names the key, where the value came from,
// the value and what is allowed. When several values are invalid, the errors are joined
// with [errors.Join]; [errors.As] finds the first. A file that is not JSON is reported with
// its path, line and column instead. The node seed never appears in a message.
package config
