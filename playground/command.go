package playground

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
)

// The names Command gives the exported training and test points.
const (
	TrainFile = "playground-train.csv"
	TestFile  = "playground-test.csv"
)

// Command returns the cmd/train command line that trains c's network for
// the given number of epochs on the session's points, exported as
// TrainFile and TestFile (WriteData) in the current directory. It builds
// the same model with the same seed and trains it with the same settings
// on the same points in the same order, so it ends with the same weights,
// bit for bit, as the session after that many epochs.
func Command(c Config, epochs int) string {
	ds, _ := datasetByName(c.Dataset)
	task := "classification"
	if ds.regression {
		task = "regression"
	}
	hidden := make([]string, len(c.Layers))
	for i, w := range c.Layers {
		hidden[i] = strconv.Itoa(w)
	}
	h := strings.Join(hidden, ",")
	if h == "" {
		h = `""`
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	args := []string{"go run ./cmd/train", "-data", TrainFile, "-test", TestFile, "-task", task,
		"-model mlp -hidden", h, "-activation", c.Activation, "-dropout", num(c.Dropout)}
	l1, l2 := c.penalties()
	if l1 > 0 {
		args = append(args, "-l1", num(l1))
	}
	if l2 > 0 {
		args = append(args, "-l2", num(l2))
	}
	args = append(args, "-optimizer", c.Optimizer, "-lr", num(c.LR), "-batch", strconv.Itoa(c.Batch),
		"-epochs", strconv.Itoa(epochs), "-val 0 -standardize=false -seed", strconv.FormatInt(c.Seed, 10))
	return strings.Join(args, " ")
}

// WriteData writes the session's training points (or its test points) as
// CSV: a column per feature, named as in FeatureNames, then the target,
// "class" (0 or 1) or "y". The numbers are exact: reading them back as
// float32 gives the network's inputs bit for bit.
func (s *Session) WriteData(w io.Writer, test bool) error {
	d := s.data.train
	if test {
		d = s.data.test
	}
	return writeCSV(w, d)
}

func writeCSV(w io.Writer, d *datasets.Dataset) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string(nil), d.Features...), d.Targets[0])); err != nil {
		return err
	}
	row := make([]string, d.Dim()+1)
	for i := range d.Len() {
		for j, v := range d.Row(i) {
			row[j] = strconv.FormatFloat(float64(v), 'g', -1, 32)
		}
		y := d.Y[i]
		if d.IsClassification() {
			row[len(row)-1] = d.Classes[int(y)]
		} else {
			row[len(row)-1] = strconv.FormatFloat(float64(y), 'g', -1, 32)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("playground: writing the points: %w", err)
	}
	return nil
}
