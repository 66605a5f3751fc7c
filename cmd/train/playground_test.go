package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/playground"
)

// The command line the playground shows trains the same network: on the
// exported points, cmd/train ends with the session's weights bit for bit.
func TestPlaygroundCommand(t *testing.T) {
	xor := playground.Defaults()
	xor.Dataset, xor.Optimizer, xor.LR, xor.Dropout, xor.Batch = "xor", "adam", 0.01, 0.2, 7
	xor.Features, xor.Regularization, xor.RegRate, xor.Seed = []string{"x1", "x2", "x1_x2"}, "l2", 0.003, 9
	gauss := playground.Defaults()
	gauss.Dataset, gauss.Optimizer, gauss.Layers, gauss.Regularization, gauss.RegRate = "gaussians", "momentum", []int{5}, "l1", 0.001
	linear := playground.Defaults()
	linear.Dataset, linear.Layers, linear.Features = "moons", []int{}, []string{"x1", "x2", "x1_sq", "sin_x2"}
	for name, c := range map[string]playground.Config{"xor": xor, "gaussians": gauss, "no hidden layer": linear} {
		t.Run(name, func(t *testing.T) {
			const epochs = 6
			s, err := playground.NewSession(c, playground.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			if _, err := s.Step(ctx, epochs); err != nil {
				t.Fatal(err)
			}
			want, err := s.Model(ctx)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for file, test := range map[string]bool{playground.TrainFile: false, playground.TestFile: true} {
				f, err := os.Create(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.WriteData(f, test); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
			cmd := playground.Command(c, epochs)
			rest, ok := strings.CutPrefix(cmd, "go run ./cmd/train ")
			if !ok {
				t.Fatalf("command %q", cmd)
			}
			var args []string
			for _, a := range strings.Fields(rest) {
				switch a {
				case `""`:
					a = ""
				case playground.TrainFile, playground.TestFile:
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			out := filepath.Join(dir, "run")
			if stdout, _, err := runIn(t, ctx, append(args, "-out", out)...); err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, stdout)
			}
			got, err := models.Load(filepath.Join(out, modelFile))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Params()) != len(want.Params()) {
				t.Fatalf("cmd/train's model has %d parameters; the playground's %d", len(got.Params()), len(want.Params()))
			}
			for i, p := range want.Params() {
				if q := got.Params()[i]; q.Name != p.Name || !slices.Equal(q.Float64s(), p.Float64s()) {
					t.Errorf("%s: parameter %s differs from the playground's after %d epochs", cmd, p.Name, epochs)
				}
			}
		})
	}
}
