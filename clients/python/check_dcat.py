"""Reads the DCAT catalogue of the bulk exports as RDF, as a harvester does, and checks what
DCAT-AP 3 makes mandatory, and that every distribution downloads with its stated checksum.

    python check_dcat.py http://127.0.0.1:8080

Needs rdflib (JSON-LD is built in from rdflib 6). Exits 1 on the first missing property.
"""

import hashlib
import sys
import urllib.request

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

SPDX = Namespace("http://spdx.org/rdf/terms#")


def need(graph, subject, predicate, what):
    values = list(graph.objects(subject, predicate))
    if not values:
        sys.exit(f"{what} {subject} has no {predicate}")
    return values


def main():
    base = sys.argv[1].rstrip("/")
    with urllib.request.urlopen(f"{base}/api/v1/exports/catalog") as answer:
        body = answer.read()
    graph = Graph().parse(data=body, format="json-ld", publicID=base)
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    if len(catalogues) != 1:
        sys.exit(f"expected one dcat:Catalog, found {len(catalogues)}")
    catalogue = catalogues[0]
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        need(graph, catalogue, predicate, "the catalogue")
    for publisher in graph.objects(catalogue, DCTERMS.publisher):
        need(graph, publisher, FOAF.name, "the publisher")
    languages = {v.language for v in graph.objects(catalogue, DCTERMS.title)}
    if not {"th", "en"} <= languages:
        sys.exit(f"the catalogue's title is not in Thai and English: {languages}")
    datasets = need(graph, catalogue, DCAT.dataset, "the catalogue")
    distributions = 0
    for dataset in datasets:
        if (dataset, RDF.type, DCAT.Dataset) not in graph:
            sys.exit(f"{dataset} is not a dcat:Dataset")
        for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.identifier):
            need(graph, dataset, predicate, "dataset")
        for distribution in need(graph, dataset, DCAT.distribution, "dataset"):
            distributions += 1
            if (distribution, RDF.type, DCAT.Distribution) not in graph:
                sys.exit(f"{distribution} is not a dcat:Distribution")
            need(graph, distribution, DCAT.accessURL, "distribution")
            need(graph, distribution, DCTERMS.license, "distribution")
            need(graph, distribution, DCAT.mediaType, "distribution")
            size = need(graph, distribution, DCAT.byteSize, "distribution")[0]
            if not isinstance(size, Literal) or size.datatype != XSD.nonNegativeInteger:
                sys.exit(f"{distribution}'s byteSize is not an xsd:nonNegativeInteger")
            checksum = need(graph, distribution, SPDX.checksum, "distribution")[0]
            algorithm = need(graph, checksum, SPDX.algorithm, "checksum")[0]
            if algorithm != URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"):
                sys.exit(f"{distribution}'s checksum is not SHA-256")
            value = str(need(graph, checksum, SPDX.checksumValue, "checksum")[0])
            url = str(need(graph, distribution, DCAT.downloadURL, "distribution")[0])
            with urllib.request.urlopen(url) as answer:
                data = answer.read()
            if hashlib.sha256(data).hexdigest() != value or len(data) != int(size):
                sys.exit(f"{url} does not match its checksum or size")
    print(f"the DCAT catalogue: {len(datasets)} datasets, {distributions} distributions, "
          f"{len(graph)} triples; every download matches its checksum")


if __name__ == "__main__":
    main()
