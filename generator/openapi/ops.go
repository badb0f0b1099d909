package openapi

import (
	"strings"

	"github.com/wardhq/ward/generator/access"
	"github.com/wardhq/ward/generator/plan"
)

// resource adds r's schemas and every one of its operations.
func (b *builder) resource(r *plan.Resource) {
	b.schemas[r.Model] = modelSchema(r)
	b.schemas[r.Model+"Request"] = inputSchema(r, true, false)
	b.schemas[r.Model+"Update"] = inputSchema(r, false, false)
	b.schemas[r.Model+"Patch"] = inputSchema(r, false, true)
	b.schemas[r.Model+"List"] = listSchema(r)
	mr := b.matrix.Resource(r.Name)
	for _, ep := range r.Endpoints {
		path := r.Path
		if ep.Detail {
			path += "/{id}"
		}
		if ep.Extra {
			path += "/" + string(ep.Action)
		}
		o := b.operation(r, ep, path, mr)
		b.op(path, ep.Method, o)
		if ep.Method == "GET" {
			head := obj{}
			for k, v := range o {
				head[k] = v
			}
			head["operationId"] = o["operationId"].(string) + "Head"
			head["responses"] = respond("200", obj{"description": "The GET's headers, no body."}, "401", "403", "404", "429", "503")
			delete(head, "parameters")
			head["parameters"] = pathParams(r, ep.Detail)
			b.op(path, "HEAD", head)
		}
	}
	b.options(r, r.Path, false)
	for _, ep := range r.Endpoints {
		if ep.Detail && !ep.Extra {
			b.options(r, r.Path+"/{id}", true)
			break
		}
	}
}

func (b *builder) options(r *plan.Resource, path string, detail bool) {
	ok := obj{"description": "The route's metadata.", "content": jsonContent(ref("schemas", "Options"))}
	b.op(path, "OPTIONS", obj{"operationId": opID(r, "options", detail), "tags": []any{r.Name}, "summary": "Metadata",
		"parameters": pathParams(r, detail), "security": security(r.Auth, true),
		"responses": respond("200", ok, "401", "403", "404", "429", "503")})
}

func opID(r *plan.Resource, action string, detail bool) string {
	id := camel(r.Name) + camel(action)
	if detail && action == "options" {
		id += "Detail"
	}
	return id
}

func camel(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(s, "_") {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// operation is one endpoint's operation object.
func (b *builder) operation(r *plan.Resource, ep *plan.Endpoint, path string, mr *access.Resource) obj {
	o := obj{
		"operationId": strings.ToLower(r.Name[:1]) + opID(r, string(ep.Action), ep.Detail)[1:],
		"tags":        []any{r.Name},
		"summary":     summary(r, ep),
		"parameters":  pathParams(r, ep.Detail),
	}
	anon := false
	if row := mr.Endpoint(ep.Method + " " + path); row != nil {
		if c := row.Cell("anonymous"); c != nil && c.Access() != access.No {
			anon = true
		}
		o["x-ward-permission"] = permission(r, ep, row, mr)
	}
	o["security"] = security(ep.Auth, anon)
	model := ref("schemas", r.Model)
	lookup := []string{"401", "403", "404", "405", "429", "503"}
	writes := []string{"400", "401", "403", "404", "405", "409", "413", "415", "429", "503"}
	switch {
	case ep.Extra:
		// What the function reads of the request is its own.
		o["requestBody"] = obj{"content": obj{"*/*": obj{"schema": obj{}}}}
		o["responses"] = respond("200", obj{"description": "What " + ep.Func + " answers.", "content": jsonContent(obj{})}, writes...)
		o["responses"].(obj)["204"] = obj{"description": "Done, nothing to answer."}
	case ep.Action == plan.List:
		o["parameters"] = append(o["parameters"].([]any), listParams(r)...)
		o["responses"] = respond("200", obj{"description": "A page of " + r.Name + ".", "content": jsonContent(ref("schemas", r.Model+"List"))}, "400", "401", "403", "404", "405", "429", "503")
	case ep.Action == plan.Create:
		o["requestBody"] = obj{"required": true, "content": jsonContent(ref("schemas", r.Model+"Request"))}
		o["responses"] = respond("201", obj{"description": "Created.", "content": jsonContent(model)}, writes...)
	case ep.Action == plan.Retrieve:
		o["responses"] = respond("200", obj{"description": "The object.", "content": jsonContent(model)}, lookup...)
	case ep.Action == plan.Update, ep.Action == plan.PartialUpdate:
		body := r.Model + "Update"
		if ep.Action == plan.PartialUpdate {
			body = r.Model + "Patch"
		}
		o["requestBody"] = obj{"required": true, "content": jsonContent(ref("schemas", body))}
		o["responses"] = respond("200", obj{"description": "The object, changed.", "content": jsonContent(model)}, writes...)
	case ep.Action == plan.Destroy:
		o["responses"] = respond("204", obj{"description": "Deleted."}, "401", "403", "404", "405", "409", "429", "503")
	}
	return o
}

func summary(r *plan.Resource, ep *plan.Endpoint) string {
	if ep.Extra {
		return string(ep.Action) + " (" + ep.Func + ")"
	}
	return strings.ReplaceAll(string(ep.Action), "_", " ") + " " + r.Name
}

// permission is x-ward-permission: the matrix's words for the endpoint.
func permission(r *plan.Resource, ep *plan.Endpoint, row *access.Endpoint, mr *access.Resource) obj {
	p := obj{
		"expression":     plan.ExprText(ep.Permission),
		"authentication": row.Auth,
		"read_scope":     access.ScopeText(r.ReadScope),
	}
	if len(mr.Classes) > 0 {
		p["classes"] = mr.Classes
	}
	var fields []any
	for _, f := range mr.Fields {
		fr := obj{"field": f.Name}
		if f.Read != "" {
			fr["read"] = f.Read
		}
		if f.Write != "" {
			fr["write"] = f.Write
		}
		fields = append(fields, fr)
	}
	if len(fields) > 0 {
		p["fields"] = fields
	}
	callers := obj{}
	for _, c := range row.Cells {
		callers[c.Caller] = access.CellText(c)
	}
	p["callers"] = callers
	return p
}

func pathParams(r *plan.Resource, detail bool) []any {
	out := []any{}
	if r.Parent != nil {
		out = append(out, idParam(r.Parent.Param, "the id of the "+r.Parent.Resource+" object"))
	}
	if detail {
		out = append(out, idParam("id", "the object's id"))
	}
	return out
}

func idParam(name, desc string) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": obj{"type": "integer", "format": "int64"}}
}
