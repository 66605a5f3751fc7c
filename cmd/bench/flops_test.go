package main

import "testing"

func TestForwardFLOPs(t *testing.T) {
	for _, c := range []struct {
		model   string
		hidden  []int
		filters []int
		want    float64
	}{
		{modelMLP, []int{128, 64}, nil, 2 * (784*128 + 128*64 + 64*10)},
		{modelMLP, []int{2048, 1024}, nil, 2 * (784*2048 + 2048*1024 + 1024*10)},
		{modelConvNet, nil, []int{32, 64}, 2 * (26*26*32*9 + 11*11*64*32*9 + 5*5*64*10)}, // 4,881,920
		{modelConvNet, nil, []int{16, 32}, 2 * (26*26*16*9 + 11*11*32*16*9 + 5*5*32*10)},
	} {
		s := settings{Hidden: c.hidden, Filters: c.filters}
		if got := forwardFLOPs(c.model, s); got != c.want {
			t.Errorf("%s %v %v: %v FLOP, want %v", c.model, c.hidden, c.filters, got, c.want)
		}
		if got := trainFLOPs(c.model, s); got != 3*c.want {
			t.Errorf("%s: training %v FLOP, want %v", c.model, got, 3*c.want)
		}
	}
}

func TestModelTitle(t *testing.T) {
	for _, c := range []struct {
		model string
		s     settings
		want  string
	}{
		{modelMLP, settings{Hidden: []int{128, 64}}, "MLP 784-128-64-10"},
		{modelMLP, settings{Hidden: []int{512, 256}}, "MLP 784-512-256-10"},
		{modelConvNet, settings{Filters: []int{32, 64}}, "ConvNet (Keras MNIST)"},
		{modelConvNet, settings{Filters: []int{16, 32}}, "ConvNet 16/32 filters"},
	} {
		if got := modelTitle(c.model, c.s); got != c.want {
			t.Errorf("modelTitle(%s, %v) = %q, want %q", c.model, c.s, got, c.want)
		}
	}
}

func TestScalingConfigs(t *testing.T) {
	cs := scalingConfigs(allModels)
	if len(cs) != 10 {
		t.Fatalf("%d configurations: %+v", len(cs), cs)
	}
	seen := map[string]bool{}
	for _, c := range cs {
		key := modelTitle(c.Model, settingsFor(settings{}, c)) + " " + itoa(c.Batch)
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
	}
	for _, want := range []string{"MLP 784-128-64-10 32", "MLP 784-128-64-10 512", "MLP 784-2048-1024-10 128",
		"ConvNet (Keras MNIST) 32", "ConvNet 64/128 filters 128", "ConvNet 16/32 filters 128"} {
		if !seen[want] {
			t.Errorf("no %s in %v", want, seen)
		}
	}
}
