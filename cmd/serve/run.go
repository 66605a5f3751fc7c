package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"time"

	"github.com/dlgo/dlgo/serve"
	"github.com/sirupsen/logrus"
)

// run is the whole command: it reads the flags in args and serves until
// ctx is done, then shuts down gracefully. It writes -h to stdout and logs
// to stderr. It returns nil after -h or a clean shutdown, a usageError for
// a mistake on the command line, and otherwise the error that stopped it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return writeUsage(stdout)
	}
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg)
	srv, err := serve.New(serve.Config{
		MaxBodyBytes: cfg.maxBody, MaxSamples: cfg.maxSamples, MaxBatch: cfg.maxBatch,
		BatchWindow: cfg.batchWindow, Workers: cfg.workers, Timeout: cfg.timeout, Logger: log,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, m := range cfg.models {
		if m.name == "" && isDir(m.path) {
			err = srv.AddDir(m.path)
		} else {
			err = srv.AddFile(m.name, m.path)
		}
		if err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		// Reading the body and answering count against -timeout; the
		// prediction itself is bounded by the server's own timeout.
		ReadTimeout:  cfg.timeout,
		WriteTimeout: cfg.timeout + 5*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     stdlog.New(log.WriterLevel(logrus.WarnLevel), "", 0),
	}
	log.WithFields(logrus.Fields{"addr": "http://" + ln.Addr().String(), "models": srv.Models()}).Info("serve: listening")
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if cfg.reload > 0 {
		go srv.Watch(watchCtx, cfg.reload)
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("serve: shutting down, finishing the requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("requests still running after -shutdown-timeout %v: %w", cfg.shutdownTimeout, err)
	}
	log.Info("serve: stopped")
	return nil
}

// exitCode reports err on stderr and returns the exit status for it: 0 for
// nil, 2 for a usage error, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "serve: %v\n", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(stderr, "run 'serve -h' for help")
		return 2
	}
	return 1
}

// newLogger returns the logger for the request log and diagnostics.
func newLogger(w io.Writer, cfg *config) *logrus.Logger {
	log := logrus.New()
	log.SetOutput(w)
	level, _ := logrus.ParseLevel(cfg.logLevel)
	log.SetLevel(level)
	if cfg.logJSON {
		log.SetFormatter(&logrus.JSONFormatter{})
	} else {
		log.SetFormatter(&logrus.TextFormatter{FullTimestamp: true, DisableColors: true})
	}
	return log
}
