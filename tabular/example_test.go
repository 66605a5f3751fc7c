package tabular_test

import (
	"fmt"
	"strings"

	"github.com/dlgo/dlgo/tabular"
)

// A table as a spreadsheet exports it: semicolons, decimal commas, a
// text column and missing values. Prepare decides what each column is
// (the row without a price is left out of training), Fit learns the
// encoding from the training rows (one-hot vocabularies, medians), and
// Encode turns any table with these columns into features: Nantes, not
// seen in training, is all zeros, and the missing rooms get the median.
func Example() {
	csv := "id;city;rooms;area;price\n" +
		"1;Rennes;3;62,5;210\n" +
		"2;Brest;NA;48,0;150\n" +
		"3;Rennes;4;;260\n" +
		"4;Nantes;2;35,5;NA\n"
	t, err := tabular.Read(strings.NewReader(csv), "houses.csv", tabular.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, err := tabular.Prepare(t, tabular.Options{Targets: []string{"price"}, Drop: []string{"id"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	enc := plan.Fit(plan.Rows)
	fmt.Println("features:", enc.Features())
	e, err := enc.Encode(t)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rows with a price:", e.Labelled.Len(), "of", e.All.Len())
	fmt.Println("row 2:", e.All.Row(1))
	fmt.Println("row 4:", e.All.Row(3), len(e.Warnings), "warning")
	// Output:
	// features: [city=Brest city=Rennes rooms area]
	// rows with a price: 3 of 4
	// row 2: [1 0 3.5 48]
	// row 4: [0 0 2 35.5] 1 warning
}
