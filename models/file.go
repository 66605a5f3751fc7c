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

// Load reads a model file written by Save. A file that is truncated,
// corrupt, of another format, or of a newer format version is an error
// that says so.
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
	m, err := Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", path, err)
	}
	return m, nil
}

// Read reads a model file of the given size from r.
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
	// Every weight is stored in the file, so a spec whose parameters need
	// more bytes than the file has is refused before anything is allocated.
	if man.Version < 3 && (man.Spec.Table != nil || man.Spec.TargetScale != nil) {
		return nil, fmt.Errorf("%w: a version %d file cannot hold a table encoding or a target standardisation", ErrNotModelFile, man.Version)
	}
	if man.Version < 4 && man.Spec.generative() {
		return nil, fmt.Errorf("%w: a version %d file cannot hold a reconstruction target, a loss reduction, a latent layer or a sampling layer", ErrNotModelFile, man.Version)
	}
	m, err := build(man.Spec, newRand(0), size)
	if err != nil {
		return nil, fmt.Errorf("the model it describes is invalid: %w", err)
	}
	m.Meta = man.Meta
	if len(man.Params) != len(m.params) {
		return nil, fmt.Errorf("the file has %d parameters; its model has %d", len(man.Params), len(m.params))
	}
	for i, p := range m.params {
		e := man.Params[i]
		if e.Name != p.Name {
			return nil, fmt.Errorf("parameter %d is %q; its model has %q", i+1, e.Name, p.Name)
		}
		f, ok := members[e.File]
		if !ok {
			return nil, fmt.Errorf("parameter %s: member %s is missing", p.Name, e.File)
		}
		data, err := readMember(f, int64(p.Size())*int64(m.dt.Size())+4096)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != e.SHA256 {
			return nil, fmt.Errorf("parameter %s: checksum mismatch: the file is corrupt", p.Name)
		}
		if err := decodeNpy(data, p); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
	}
	return m, nil
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
