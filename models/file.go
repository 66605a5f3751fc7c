package models

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dlgo/dlgo/internal/atomicfile"
)

// A model file is one ZIP archive that is also a NumPy .npz file:
//
//	model.json          the manifest: format name and version, the Spec,
//	                    the Meta, and for every parameter its shape, dtype,
//	                    member name and SHA-256
//	<param name>.npy    one NumPy array per parameter, e.g. dense_1/kernel.npy
//
// Loading reads data only: nothing in the file is executed. Each member is
// checked against the CRC-32 of the archive and the SHA-256 of the
// manifest, and its size is checked before it is read.
const (
	// FileFormat names the format in the manifest.
	FileFormat = "dlgo-model"
	// FileVersion is the newest format version this build writes and
	// reads. Version 2 added the loss and the layer types beyond version
	// 1's dense, activation, dropout, normalization, conv2d, maxpool2d and
	// flatten. Version 3 added the table encoding (Spec.Table) and the
	// target standardisation (Spec.TargetScale), which change what a
	// model's inputs and outputs mean: a build that ignored them would
	// predict wrongly, so a model that has either is written as version 3,
	// which older builds refuse, and any other model as version 2, which
	// they read. Files of versions 1 and 2 read as before. Version 4 added
	// the generative models' settings (Spec.Target, Spec.LossReduction,
	// Spec.Latent) and the sampling layer: a model that has any of them is
	// written as version 4, which older builds refuse rather than train on
	// the wrong targets or report the wrong loss.
	FileVersion = 4

	manifestName = "model.json"
	maxManifest  = 16 << 20
)

// ErrNotModelFile reports a file that is not a dlgo model file.
var ErrNotModelFile = errors.New("not a dlgo model file")

// Meta records how a model was made; it travels in the model file.
type Meta struct {
	// Settings holds the training settings (optimiser, epochs, seed, data).
	Settings map[string]any `json:"settings,omitempty"`
	// Metrics holds the final figures (loss, accuracy, val_..., test_...).
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Created is when the model was saved.
	Created time.Time `json:"created,omitzero"`
	// Versions names the software that made it (dlgo, Go, Gorgonia).
	Versions map[string]string `json:"versions,omitempty"`
}

type manifest struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Spec    Spec         `json:"spec"`
	Meta    Meta         `json:"meta"`
	Params  []paramEntry `json:"params"`
}

type paramEntry struct {
	Name      string `json:"name"`
	Shape     []int  `json:"shape"`
	DType     string `json:"dtype"`
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Trainable bool   `json:"trainable"`
}

// Save writes the model, with its spec, parameters and Meta, to path,
// atomically: the file is written under a temporary name in the same
// directory, synced, and renamed, so a crash never leaves a partial file
// under path.
func (m *Model) Save(path string) error {
	if err := atomicfile.Write(path, m.Write); err != nil {
		return fmt.Errorf("models: saving %s: %w", path, err)
	}
	return nil
}

// Write writes the model file to w.
func (m *Model) Write(w io.Writer) error {
	man := manifest{Format: FileFormat, Version: m.spec.fileVersion(), Spec: m.spec, Meta: m.Meta}
	blobs := make([][]byte, len(m.params))
	for i, p := range m.params {
		blobs[i] = encodeNpy(p)
		sum := sha256.Sum256(blobs[i])
		man.Params = append(man.Params, paramEntry{Name: p.Name, Shape: p.Shape(), DType: m.spec.DType,
			File: p.Name + ".npy", SHA256: hex.EncodeToString(sum[:]), Trainable: p.Trainable})
	}
	js, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	add := func(name string, data []byte) error {
		// Stored, not deflated: like np.savez, and fast to load.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Unix(0, 0).UTC()})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	if err := add(manifestName, js); err != nil {
		return err
	}
	for i, e := range man.Params {
		if err := add(e.File, blobs[i]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// MaxFileBytes bounds a model file read from a stream (a pipe, standard
// input), which is read into memory first: the largest parameters a model
// may have, with room for its manifest.
const MaxFileBytes = maxParamBytes + maxManifest + 1<<20

// Load reads a model file written by Save. A file that is truncated,
// corrupt, of another format, or of a newer format version is an error
// that says so. path may also be a pipe or a device (/dev/stdin, a FIFO):
// what is not a regular file is read to its end first, up to MaxFileBytes.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	var m *Model
	if st.Mode().IsRegular() && st.Size() > 0 {
		m, err = Read(f, st.Size())
	} else {
		// A pipe or a device has no size to trust (and /proc files claim 0).
		m, err = ReadAll(f)
	}
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", path, err)
	}
	return m, nil
}

// ReadAll reads a model file from a stream, such as a pipe, that cannot
// be read at random places: it reads it to its end into memory, refusing
// one of more than MaxFileBytes, then reads it as Read does. Memory grows
// with what arrives, not with what the stream claims.
func ReadAll(r io.Reader) (*Model, error) {
	var b bytes.Buffer
	n, err := b.ReadFrom(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the model file: %w", err)
	}
	if n > MaxFileBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrNotModelFile, int64(MaxFileBytes))
	}
	return Read(bytes.NewReader(b.Bytes()), n)
}

// Read reads a model file of the given size from r. Nothing is allocated
// for the parameters before the manifest, the spec (every size in it,
// checked for overflow) and the archive's members (their names and sizes)
// agree: a small file that claims a large model is refused cheaply.
func Read(r io.ReaderAt, size int64) (*Model, error) {
	magic := make([]byte, 4)
	if _, err := r.ReadAt(magic, 0); err != nil || string(magic) != "PK\x03\x04" {
		return nil, fmt.Errorf("%w (it does not start like one)", ErrNotModelFile)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: the archive is truncated or corrupt (%v)", ErrNotModelFile, err)
	}
	members := map[string]*zip.File{}
	for _, f := range zr.File {
		if !safeMemberName(f.Name) {
			return nil, fmt.Errorf("%w: unsafe member name %q", ErrNotModelFile, f.Name)
		}
		if _, dup := members[f.Name]; dup {
			return nil, fmt.Errorf("%w: member %s appears twice", ErrNotModelFile, f.Name)
		}
		if f.CompressedSize64 > uint64(size) {
			return nil, fmt.Errorf("%w: member %s claims %d bytes, more than the file's %d", ErrNotModelFile, f.Name, f.CompressedSize64, size)
		}
		members[f.Name] = f
	}
	mf, ok := members[manifestName]
	if !ok {
		return nil, fmt.Errorf("%w: the archive has no %s", ErrNotModelFile, manifestName)
	}
	js, err := readMember(mf, maxManifest)
	if err != nil {
		return nil, err
	}
	var man manifest
	if err := json.Unmarshal(js, &man); err != nil {
		return nil, fmt.Errorf("%w: %s is not valid: %v", ErrNotModelFile, manifestName, err)
	}
	if man.Format != FileFormat {
		return nil, fmt.Errorf("%w: its format is %q", ErrNotModelFile, man.Format)
	}
	if man.Version > FileVersion || man.Version < 1 {
		return nil, fmt.Errorf("the file has format version %d; this build of dlgo reads versions 1 to %d: upgrade dlgo", man.Version, FileVersion)
	}
	if man.Version < 3 && (man.Spec.Table != nil || man.Spec.TargetScale != nil) {
		return nil, fmt.Errorf("%w: a version %d file cannot hold a table encoding or a target standardisation", ErrNotModelFile, man.Version)
	}
	if man.Version < 4 && man.Spec.generative() {
		return nil, fmt.Errorf("%w: a version %d file cannot hold a reconstruction target, a loss reduction, a latent layer or a sampling layer", ErrNotModelFile, man.Version)
	}
	// Every weight is stored in the file, so a spec whose parameters need
	// more bytes than the file has is refused before anything is allocated.
	m, err := describe(man.Spec, newRand(0), size)
	if err != nil {
		return nil, fmt.Errorf("the model it describes is invalid: %w", err)
	}
	m.Meta = man.Meta
	if len(man.Params) != len(m.params) {
		return nil, fmt.Errorf("the file has %d parameters; its model has %d", len(man.Params), len(m.params))
	}
	files := make([]*zip.File, len(m.params))
	for i, p := range m.params {
		e := man.Params[i]
		if e.Name != p.Name {
			return nil, fmt.Errorf("parameter %d is %q; its model has %q", i+1, e.Name, p.Name)
		}
		if e.File != p.Name+".npy" {
			return nil, fmt.Errorf("parameter %s: member %q; want %q", p.Name, e.File, p.Name+".npy")
		}
		f, ok := members[e.File]
		if !ok {
			return nil, fmt.Errorf("parameter %s: member %s is missing", p.Name, e.File)
		}
		data := uint64(p.Size()) * uint64(m.dt.Size())
		if n := f.UncompressedSize64; n < data+npyMinHeader || n > data+npyMaxHeader {
			return nil, fmt.Errorf("parameter %s: member %s is %d bytes; a %v array of shape %v takes %d and a header of %d to %d", p.Name, e.File, n, m.dt, p.Shape(), data, npyMinHeader, npyMaxHeader)
		}
		files[i] = f
	}
	m.alloc()
	for i, p := range m.params {
		if err := readParam(files[i], man.Params[i].SHA256, p); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
	}
	return m, nil
}

// safeMemberName says whether an archive member's name is one a model file
// can have: relative, with no "..", backslash or drive.
func safeMemberName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\:\x00") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	return true
}

// readParam reads a parameter's .npy member into its tensor, checking its
// SHA-256 against the manifest's and the archive's CRC-32.
func readParam(f *zip.File, sum string, p *Param) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("member %s: %w", f.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	if err := readNpy(io.TeeReader(rc, h), p); err != nil {
		return err
	}
	// Reading to the end checks the CRC-32 and the declared size.
	if n, err := io.Copy(h, io.LimitReader(rc, 1)); err != nil {
		return fmt.Errorf("member %s is corrupt: %w", f.Name, err)
	} else if n > 0 {
		return fmt.Errorf("member %s has bytes after the array", f.Name)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return errors.New("checksum mismatch: the file is corrupt")
	}
	return nil
}

// fileVersion is the oldest format version that holds everything in s.
func (s Spec) fileVersion() int {
	if s.generative() {
		return 4
	}
	if s.Table != nil || s.TargetScale != nil {
		return 3
	}
	return 2
}

// readMember reads one archive member of at most limit bytes; the archive
// verifies its CRC-32 at the end.
func readMember(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("member %s is %d bytes; at most %d expected", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", f.Name, err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(rc, limit+1)); err != nil {
		return nil, fmt.Errorf("member %s is corrupt: %w", f.Name, err)
	}
	if int64(b.Len()) > limit {
		return nil, fmt.Errorf("member %s is larger than %d bytes", f.Name, limit)
	}
	return b.Bytes(), nil
}

// generative reports whether s uses what format version 4 added.
func (s Spec) generative() bool {
	return s.Target != "" || s.LossReduction != "" || s.Latent != "" ||
		slices.ContainsFunc(s.Layers, func(l LayerSpec) bool { return l.Type == LayerSampling })
}
