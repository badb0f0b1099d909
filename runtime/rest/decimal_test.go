package rest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/schema"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

const (
	tooManyDigits = "Ensure that there are no more than 10 digits in total."
	tooManyPlaces = "Ensure that there are no more than 2 decimal places."
	tooManyWhole  = "Ensure that there are no more than 8 digits before the decimal point."
)

// TestParseDecimal follows DRF's DecimalField(max_digits=10,
// decimal_places=2): digits counted as written, the first failing check's
// message, no rounding, exactly 2 places out.
func TestParseDecimal(t *testing.T) {
	for _, c := range []struct{ in, want, msg string }{
		{"12.5", "12.50", ""},
		{" 12.5\t", "12.50", ""},
		{"+7", "7.00", ""},
		{"-0.5", "-0.50", ""},
		{"1e2", "100.00", ""},
		{"1E+2", "100.00", ""},
		{"125e-2", "1.25", ""},
		{".5", "0.50", ""},
		{"5.", "5.00", ""},
		{"00012.30", "12.30", ""},
		{"0", "0.00", ""},
		{"99999999.99", "99999999.99", ""},
		{"-99999999.99", "-99999999.99", ""},
		{"1_000.5_0", "1000.50", ""}, // Python's grouping underscores
		{"1e0_1", "10.00", ""},
		{"abc", "", decimalInvalid},
		{"_1", "", decimalInvalid},
		{"1_", "", decimalInvalid},
		{"1__0", "", decimalInvalid},
		{"1_.5", "", decimalInvalid},
		{"", "", decimalInvalid},
		{"1,5", "", decimalInvalid},
		{"NaN", "", decimalInvalid},
		{"Infinity", "", decimalInvalid},
		{"-inf", "", decimalInvalid},
		{"1e", "", decimalInvalid},
		{"e5", "", decimalInvalid},
		{".", "", decimalInvalid},
		{"1.2.3", "", decimalInvalid},
		{"0x10", "", decimalInvalid},
		{"1 2", "", decimalInvalid},
		{"9.990", "", tooManyPlaces},        // trailing zeros count as written
		{"0.001", "", tooManyPlaces},        // 3 places, 3 digits
		{"123456789.12", "", tooManyDigits}, // 11 digits, 9 of them whole: the total is checked first
		{"123456789.1", "", tooManyWhole},
		{"12345678901", "", tooManyDigits}, // 11 digits
		{"1.123456789012", "", tooManyDigits},
		{"123456789", "", tooManyWhole},
		{"1e8", "", tooManyWhole}, // 9 whole digits
		{"1e9", "", tooManyWhole}, // 10 digits in total pass, 10 whole digits do not
		{"1e99999999999999999999", "", tooManyDigits},
		{"1e-99999999999999999999", "", tooManyDigits},
		{strings.Repeat("1", 1001), "", decimalTooLarge},
	} {
		d, msg := ParseDecimal(c.in, 10, 2)
		got := ""
		if d != nil {
			got = d.String()
		}
		if got != c.want || msg != c.msg {
			t.Errorf("ParseDecimal(%q) = %q, %q; want %q, %q", c.in, got, msg, c.want, c.msg)
		}
	}
}

func decimalRules() Rules {
	return Rules{Required: true, MaxDigits: 10, DecimalPlaces: 2, MinDecimal: MustDecimal("0"), MaxDecimal: MustDecimal("5000.5")}
}

// TestInputDecimal: strings and numbers as written, other JSON values
// refused, null and absence as for every field, and the bounds printed as
// the spec wrote them.
func TestInputDecimal(t *testing.T) {
	for _, c := range []struct{ body, want, err string }{
		{`{"p": "12.5"}`, "12.50", ""},
		{`{"p": 12.5}`, "12.50", ""},
		{`{"p": 1e2}`, "100.00", ""},
		{`{"p": 0.1}`, "0.10", ""},
		{`{"p": 5000.50}`, "5000.50", ""},
		{`{"p": " 3 "}`, "3.00", ""},
		{`{"p": true}`, "", decimalInvalid},
		{`{"p": []}`, "", decimalInvalid},
		{`{"p": {}}`, "", decimalInvalid},
		{`{"p": "NaN"}`, "", decimalInvalid},
		{`{"p": 9.990}`, "", tooManyPlaces},
		{`{"p": null}`, "", "This field may not be null."},
		{`{}`, "", "This field is required."},
		{`{"p": "-0.01"}`, "", "Ensure this value is greater than or equal to 0."},
		{`{"p": "5000.51"}`, "", "Ensure this value is less than or equal to 5000.5."},
	} {
		in, msg := ParseInput([]byte(c.body), Create)
		if msg != "" {
			t.Fatal(msg)
		}
		var d apd.Decimal
		in.Decimal("p", decimalRules(), &d)
		got, _ := json.Marshal(in.Errs)
		want := "{}"
		if c.err != "" {
			want = `{"p":["` + c.err + `"]}`
		}
		if string(got) != want || (c.err == "" && d.String() != c.want) {
			t.Errorf("%s: %s %s; want %s %s", c.body, d.String(), got, want, c.want)
		}
	}
	// Nullable: null is nil; PATCH without the field leaves it.
	in, _ := ParseInput([]byte(`{"p": null}`), Partial)
	p := MustDecimal("1")
	in.DecimalPtr("p", Rules{Nullable: true, MaxDigits: 10, DecimalPlaces: 2}, &p)
	if p != nil || !in.Errs.Empty() {
		t.Errorf("null: %v %v", p, in.Errs)
	}
	in, _ = ParseInput([]byte(`{}`), Partial)
	p = MustDecimal("1")
	in.DecimalPtr("p", Rules{Nullable: true, MaxDigits: 10, DecimalPlaces: 2}, &p)
	if p == nil || p.String() != "1" {
		t.Errorf("absent on PATCH: %v", p)
	}
}

// TestDecimalJSON: a decimal of a model, alone or behind a pointer, is a
// JSON string with exactly its places.
func TestDecimalJSON(t *testing.T) {
	type model struct {
		P apd.Decimal  `json:"p"`
		Q *apd.Decimal `json:"q"`
		N *apd.Decimal `json:"n"`
	}
	p, _ := ParseDecimal("7", 10, 2)
	q, _ := ParseDecimal("0", 10, 2)
	b, err := json.Marshal([]*model{{P: *p, Q: q}})
	if err != nil || string(b) != `[{"p":"7.00","q":"0.00","n":null}]` {
		t.Fatalf("%s %v", b, err)
	}
}

type priced struct {
	ID    int64
	Price apd.Decimal
	Cost  *apd.Decimal
}

// pricedTable stores priced in a table that schema creates, on SQLite or
// on PostgreSQL (db), as generated code does.
func pricedTable(t *testing.T, dialect Dialect, db *sql.DB) *Table[priced] {
	t.Helper()
	tb := schema.Table{Name: "priced", Columns: []schema.Column{
		{Name: "price", Type: "decimal", MaxDigits: 18, DecimalPlaces: 2},
		{Name: "cost", Type: "decimal", Nullable: true, MaxDigits: 18, DecimalPlaces: 2},
	}}
	if err := schema.Migrate(context.Background(), db, string(dialect), []schema.Table{tb}); err != nil {
		t.Fatal(err)
	}
	args := func(o *priced) []any {
		return []any{DecimalArg{V: &o.Price, Places: 2}, DecimalArg{V: o.Cost, Places: 2}}
	}
	return &Table[priced]{
		DB: db, Dialect: dialect, Name: `"priced"`,
		Select:     `SELECT "id", "price", "cost" FROM "priced"`,
		InsertSQL:  `INSERT INTO "priced" ("price", "cost") VALUES (?, ?) RETURNING "id", "price", "cost"`,
		UpdateSQL:  `UPDATE "priced" SET "price" = ?, "cost" = ? WHERE "id" = ? RETURNING "id", "price", "cost"`,
		InsertArgs: args,
		UpdateArgs: func(o *priced) []any { return append(args(o), o.ID) },
		ID:         func(o *priced) int64 { return o.ID },
		Scan: func(row Scanner) (*priced, error) {
			var o priced
			if err := row.Scan(&o.ID, ScanDecimal(&o.Price, 2), ScanDecimalPtr(&o.Cost, 2)); err != nil {
				return nil, err
			}
			return &o, nil
		},
	}
}

func pricedTables(t *testing.T, f func(t *testing.T, tb *Table[priced])) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=busy_timeout(5000)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f(t, pricedTable(t, SQLite, db))
	})
	t.Run("postgres", func(t *testing.T) {
		notes := postgresNotes(t) // a schema of its own
		f(t, pricedTable(t, Postgres, notes.DB))
	})
}

// TestDecimalStorage: values are stored exactly (18 digits, beyond a
// float64's), read back with their places, ordered and range-filtered as
// numbers, on SQLite and PostgreSQL.
func TestDecimalStorage(t *testing.T) {
	pricedTables(t, func(t *testing.T, tb *Table[priced]) {
		ctx := context.Background()
		values := []string{"9999999999999999.99", "-3.10", "0.00", "10.00", "2.05", "-9999999999999999.99", "0.10"}
		for _, v := range values {
			d, msg := ParseDecimal(v, 18, 2)
			if msg != "" {
				t.Fatal(msg)
			}
			o := &priced{Price: *d}
			if v == "2.05" {
				o.Cost = MustDecimal("1.5")
			}
			got, err := tb.Create(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if got.Price.String() != v {
				t.Errorf("stored %s, read %s", v, got.Price.String())
			}
			if v == "2.05" {
				if got.Cost == nil || got.Cost.String() != "1.50" {
					t.Errorf("cost %v", got.Cost)
				}
				got.Cost = nil
				if up, err := tb.Update(ctx, got, nil); err != nil || up.Cost != nil {
					t.Errorf("cost set to NULL: %v %v", up, err)
				}
			}
		}
		where := sqlexpr.Where{SQL: `"price" >= ?`, Args: []any{BindDecimal(MustDecimal("0.1"), 2)}}
		rows, n, err := tb.List(ctx, where, ListQuery{Order: []OrderKey{{Column: `"price"`, Desc: true}, {Column: `"id"`}}, Limit: 100, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Price.String())
		}
		want := []string{"9999999999999999.99", "10.00", "2.05", "0.10"}
		if !reflect.DeepEqual(got, want) || n != len(want) {
			t.Errorf("price >= 0.1 by price desc: %v, want %v", got, want)
		}
		if _, ok := where.Args[0].(DecimalArg); !ok {
			t.Error("List changed the caller's arguments")
		}
		if _, err := tb.Get(ctx, sqlexpr.Where{SQL: `"price" = ?`, Args: []any{BindDecimal(MustDecimal("10"), 2)}}, rows[1].ID); err != nil {
			t.Errorf("get by price: %v", err)
		}
		// A value that does not fit its column is refused, nothing stored.
		if _, err := tb.Create(ctx, &priced{Price: *MustDecimal("1.005")}); err == nil {
			t.Error("1.005 stored in a column of 2 places")
		}
		if _, n, _ := tb.List(ctx, sqlexpr.Where{}, ListQuery{Order: []OrderKey{{Column: `"id"`}}, Limit: 100, Count: true}); n != len(values) {
			t.Errorf("%d rows", n)
		}
	})
}

// FuzzParseDecimal: any text is refused with one of DRF's messages or
// gives a value of at most 10 digits and exactly 2 places that parses back
// to itself.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"12.5", "1e2", "-0.001", "NaN", " 7 ", "9.990", "1e-5", "+.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, msg := ParseDecimal(s, 10, 2)
		if msg != "" {
			if d != nil || !strings.HasPrefix(msg, "Ensure that") && msg != decimalInvalid && msg != decimalTooLarge {
				t.Fatalf("%q: %v %q", s, d, msg)
			}
			return
		}
		out := d.String()
		if d.Exponent != -2 || d.NumDigits() > 10 {
			t.Fatalf("%q gave %s", s, out)
		}
		back, msg := ParseDecimal(out, 10, 2)
		if msg != "" || back.Cmp(d) != 0 || back.String() != out {
			t.Fatalf("%q gave %s, which parses as %v %q", s, out, back, msg)
		}
	})
}

var sinkErr error

// BenchmarkDecimal compares decoding a decimal field from a JSON body and
// encoding it in a response with the same for a float field. The rules are
// built for every body, as the generated decoders do.
func BenchmarkDecimal(b *testing.B) {
	body := []byte(`{"price": "1234.56"}`)
	b.Run("decode/decimal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := Rules{Required: true, MaxDigits: 10, DecimalPlaces: 2, MinDecimal: MustDecimal("0")}
			in, _ := ParseInput(body, Create)
			var d apd.Decimal
			in.Decimal("price", r, &d)
		}
	})
	b.Run("decode/float", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := Rules{Required: true, Min: F64(0)}
			in, _ := ParseInput(body, Create)
			var f float64
			in.Float("price", r, &f)
		}
	})
	d, _ := ParseDecimal("1234.56", 10, 2)
	b.Run("encode/decimal", func(b *testing.B) {
		v := &struct {
			Price apd.Decimal `json:"price"`
		}{*d}
		b.ReportAllocs()
		for b.Loop() {
			_, sinkErr = json.Marshal(v)
		}
	})
	b.Run("encode/float", func(b *testing.B) {
		v := &struct {
			Price float64 `json:"price"`
		}{1234.56}
		b.ReportAllocs()
		for b.Loop() {
			_, sinkErr = json.Marshal(v)
		}
	})
}

// ExampleParseDecimal computes an order's total exactly, as a write hook
// would: a price of 2 places times a quantity, with apd's context refusing
// any rounding.
func ExampleParseDecimal() {
	price, msg := ParseDecimal("19.99", 10, 2)
	if msg != "" {
		panic(msg)
	}
	c := apd.BaseContext.WithPrecision(MaxDecimalDigits)
	c.Traps |= apd.Inexact | apd.Rounded
	var total apd.Decimal
	if _, err := c.Mul(&total, price, apd.New(3, 0)); err != nil {
		panic(err)
	}
	fmt.Println(total.String())
	// Output: 59.97
}
