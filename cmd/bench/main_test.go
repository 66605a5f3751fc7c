package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestMain lets the test binary stand in for the bench binary as the dlgo
// worker: the benchmark starts os.Executable() with -worker first.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-worker" {
		if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "bench worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writeIDX writes an IDX file of unsigned bytes with the given dimensions,
// gzipped.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	hdr := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	zw.Write(hdr)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeMNIST writes a directory of MNIST-like IDX files: random 28×28
// images and labels 0 to 9, train and test of the given sizes.
func fakeMNIST(t *testing.T, train, test int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", train}, {"t10k", test}} {
		img := make([]byte, s.n*28*28)
		for i := range img {
			img[i] = byte(rng.IntN(256))
		}
		lbl := make([]byte, s.n)
		for i := range lbl {
			lbl[i] = byte(i % 10)
		}
		writeIDX(t, filepath.Join(dir, s.prefix+"-images-idx3-ubyte.gz"), []int{s.n, 28, 28}, img)
		writeIDX(t, filepath.Join(dir, s.prefix+"-labels-idx1-ubyte.gz"), []int{s.n}, lbl)
	}
	return dir
}
