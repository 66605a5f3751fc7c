package playground_test

import (
	"context"
	"fmt"

	"github.com/dlgo/dlgo/playground"
)

// Train the playground's default network (circles, two tanh layers of 4
// and 2, SGD) for 100 epochs without the page, and print the cmd/train
// command line that trains the same network.
func ExampleNewSession() {
	c := playground.Defaults()
	s, err := playground.NewSession(c, playground.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	first := s.History()[0]
	f, err := s.Step(context.Background(), 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("epoch %d: test loss fell from %.1f: %v; test accuracy above 90%%: %v\n",
		f.Epoch, first.TestLoss, f.TestLoss < first.TestLoss/2, *f.TestAccuracy > 0.9)
	fmt.Println(playground.Command(c, f.Epoch))
	// Output:
	// epoch 100: test loss fell from 0.7: true; test accuracy above 90%: true
	// go run ./cmd/train -data playground-train.csv -test playground-test.csv -task classification -model mlp -hidden 4,2 -activation tanh -dropout 0 -optimizer sgd -lr 0.03 -batch 10 -epochs 100 -val 0 -standardize=false -seed 1
}
