package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/dlgo/dlgo/tabular"
)

// ctxReader reads from r until ctx is done, then fails with ctx's cause:
// reading a large file stops on Ctrl-C.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted: %w", context.Cause(c.ctx))
	}
	return c.r.Read(p)
}

// loadTableFile reads a CSV table as tabular.Load does, stopping when ctx
// is done.
func loadTableFile(ctx context.Context, path string, opts tabular.ReadOptions) (*tabular.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tabular: %w", err)
	}
	defer f.Close()
	t, err := tabular.Read(ctxReader{ctx: ctx, r: f}, path, opts)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("reading %s: interrupted: %w", path, context.Cause(ctx))
		}
		return nil, err
	}
	return t, nil
}
