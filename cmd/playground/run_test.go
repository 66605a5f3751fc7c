package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-max-sessions", "1"}, pw, &stderr) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "dlgo playground: ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("printed %q; want the URL", line)
	}
	go io.Copy(io.Discard, pr)
	res, err := http.Post(url+"api/sessions", "application/json", strings.NewReader(`{"dataset": "xor"}`))
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ ID string }
	json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || st.ID == "" {
		t.Fatalf("POST /api/sessions: %d", res.StatusCode)
	}
	// -max-sessions 1: a second tab is refused.
	res, err = http.Post(url+"api/sessions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("second session: %d; want 503", res.StatusCode)
	}
	// An open event stream does not keep the server from stopping.
	stream, err := http.Get(url + "api/sessions/" + st.ID + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-speed", "-1"}, {"-max-sessions", "0"}, {"extra"}, {"-addr", "nonsense:address:1"}, {"-nope"}} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("run %v: no error", args)
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "-speed") {
		t.Errorf("-h: %v, %q", err, stderr.String())
	}
}
