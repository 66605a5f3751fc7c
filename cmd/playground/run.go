package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/dlgo/dlgo/playground"
)

// errUsage marks a command-line mistake, already reported by the flag
// package.
var errUsage = errors.New("usage error")

// run serves the playground until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "`address` to listen on (host:port; port 0 picks a free one)")
	o := playground.ServerOptions{}
	fs.IntVar(&o.MaxSessions, "max-sessions", 16, "most sessions (browser tabs) at once")
	fs.IntVar(&o.MaxPoints, "max-points", 2000, "most points a session may generate")
	fs.DurationVar(&o.IdleTimeout, "idle", 10*time.Minute, "free a session after this long without a request or an open page")
	fs.Float64Var(&o.Session.EpochsPerSecond, "speed", 60, "most epochs per second while playing (0: as fast as the machine goes)")
	fs.IntVar(&o.Session.MaxEpochs, "max-epochs", 100_000, "epochs after which a session stops training")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: go run ./cmd/playground [flags]\n\nServes the dlgo playground: train a network on 2-D data in the browser and watch it learn.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with -; see -h)", fs.Arg(0))
	}
	if o.MaxSessions < 1 || o.MaxPoints < 10 || o.IdleTimeout <= 0 || o.Session.EpochsPerSecond < 0 || o.Session.MaxEpochs < 1 {
		return errors.New("-max-sessions and -max-epochs must be at least 1, -max-points at least 10, -idle positive and -speed not negative")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := playground.NewServer(o)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "dlgo playground: http://%s/\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	// Close the sessions first: that ends their event streams, so that
	// Shutdown finds the connections idle.
	srv.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
