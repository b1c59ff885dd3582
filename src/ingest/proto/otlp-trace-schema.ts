/**
 * The OTLP trace schema as a protobufjs JSON descriptor, generated from the vendored .proto files
 * (see README.md beside this file). Do not edit: run `node scripts/generate-otlp-schema.mjs`.
 *
 * Sources (sha256):
 *   6e37601a9fd16ff872d167d525d0ed87647dbfd09510e82f6b63ae92a72ec02e  opentelemetry/proto/common/v1/common.proto
 *   b8ea46501d3d4ba7057a1257e363eb8a335d17d7595c157802ffb0bb26c85796  opentelemetry/proto/resource/v1/resource.proto
 *   f89f498d0d90b5dda496a4d367018229c1ca3f2cb7f5e613033e45a28ac7e9ca  opentelemetry/proto/trace/v1/trace.proto
 *   93bf485272d0785e3c4f5de3fcea8c60898faac604497fa1dd062fadea14a448  opentelemetry/proto/collector/trace/v1/trace_service.proto
 */
export const OTLP_TRACE_SCHEMA = {
  "nested": {
    "opentelemetry": {
      "nested": {
        "proto": {
          "nested": {
            "common": {
              "nested": {
                "v1": {
                  "options": {
                    "java_multiple_files": true,
                    "java_package": "io.opentelemetry.proto.common.v1",
                    "java_outer_classname": "CommonProto",
                    "go_package": "go.opentelemetry.io/proto/otlp/common/v1"
                  },
                  "nested": {
                    "AnyValue": {
                      "oneofs": {
                        "value": {
                          "oneof": [
                            "stringValue",
                            "boolValue",
                            "intValue",
                            "doubleValue",
                            "arrayValue",
                            "kvlistValue",
                            "bytesValue"
                          ]
                        }
                      },
                      "fields": {
                        "stringValue": {
                          "type": "string",
                          "id": 1,
                          "protoName": "string_value"
                        },
                        "boolValue": {
                          "type": "bool",
                          "id": 2,
                          "protoName": "bool_value"
                        },
                        "intValue": {
                          "type": "int64",
                          "id": 3,
                          "protoName": "int_value"
                        },
                        "doubleValue": {
                          "type": "double",
                          "id": 4,
                          "protoName": "double_value"
                        },
                        "arrayValue": {
                          "type": "ArrayValue",
                          "id": 5,
                          "protoName": "array_value"
                        },
                        "kvlistValue": {
                          "type": "KeyValueList",
                          "id": 6,
                          "protoName": "kvlist_value"
                        },
                        "bytesValue": {
                          "type": "bytes",
                          "id": 7,
                          "protoName": "bytes_value"
                        }
                      }
                    },
                    "ArrayValue": {
                      "fields": {
                        "values": {
                          "rule": "repeated",
                          "type": "AnyValue",
                          "id": 1
                        }
                      }
                    },
                    "KeyValueList": {
                      "fields": {
                        "values": {
                          "rule": "repeated",
                          "type": "KeyValue",
                          "id": 1
                        }
                      }
                    },
                    "KeyValue": {
                      "fields": {
                        "key": {
                          "type": "string",
                          "id": 1
                        },
                        "value": {
                          "type": "AnyValue",
                          "id": 2
                        }
                      }
                    },
                    "InstrumentationLibrary": {
                      "options": {
                        "deprecated": true
                      },
                      "fields": {
                        "name": {
                          "type": "string",
                          "id": 1
                        },
                        "version": {
                          "type": "string",
                          "id": 2
                        }
                      }
                    },
                    "InstrumentationScope": {
                      "fields": {
                        "name": {
                          "type": "string",
                          "id": 1
                        },
                        "version": {
                          "type": "string",
                          "id": 2
                        }
                      }
                    }
                  }
                }
              }
            },
            "resource": {
              "nested": {
                "v1": {
                  "options": {
                    "java_multiple_files": true,
                    "java_package": "io.opentelemetry.proto.resource.v1",
                    "java_outer_classname": "ResourceProto",
                    "go_package": "go.opentelemetry.io/proto/otlp/resource/v1"
                  },
                  "nested": {
                    "Resource": {
                      "fields": {
                        "attributes": {
                          "rule": "repeated",
                          "type": "opentelemetry.proto.common.v1.KeyValue",
                          "id": 1
                        },
                        "droppedAttributesCount": {
                          "type": "uint32",
                          "id": 2,
                          "protoName": "dropped_attributes_count"
                        }
                      }
                    }
                  }
                }
              }
            },
            "trace": {
              "nested": {
                "v1": {
                  "options": {
                    "java_multiple_files": true,
                    "java_package": "io.opentelemetry.proto.trace.v1",
                    "java_outer_classname": "TraceProto",
                    "go_package": "go.opentelemetry.io/proto/otlp/trace/v1"
                  },
                  "nested": {
                    "TracesData": {
                      "fields": {
                        "resourceSpans": {
                          "rule": "repeated",
                          "type": "ResourceSpans",
                          "id": 1,
                          "protoName": "resource_spans"
                        }
                      }
                    },
                    "ResourceSpans": {
                      "fields": {
                        "resource": {
                          "type": "opentelemetry.proto.resource.v1.Resource",
                          "id": 1
                        },
                        "scopeSpans": {
                          "rule": "repeated",
                          "type": "ScopeSpans",
                          "id": 2,
                          "protoName": "scope_spans"
                        },
                        "instrumentationLibrarySpans": {
                          "rule": "repeated",
                          "type": "InstrumentationLibrarySpans",
                          "id": 1000,
                          "protoName": "instrumentation_library_spans",
                          "options": {
                            "deprecated": true
                          }
                        },
                        "schemaUrl": {
                          "type": "string",
                          "id": 3,
                          "protoName": "schema_url"
                        }
                      }
                    },
                    "ScopeSpans": {
                      "fields": {
                        "scope": {
                          "type": "opentelemetry.proto.common.v1.InstrumentationScope",
                          "id": 1
                        },
                        "spans": {
                          "rule": "repeated",
                          "type": "Span",
                          "id": 2
                        },
                        "schemaUrl": {
                          "type": "string",
                          "id": 3,
                          "protoName": "schema_url"
                        }
                      }
                    },
                    "InstrumentationLibrarySpans": {
                      "options": {
                        "deprecated": true
                      },
                      "fields": {
                        "instrumentationLibrary": {
                          "type": "opentelemetry.proto.common.v1.InstrumentationLibrary",
                          "id": 1,
                          "protoName": "instrumentation_library"
                        },
                        "spans": {
                          "rule": "repeated",
                          "type": "Span",
                          "id": 2
                        },
                        "schemaUrl": {
                          "type": "string",
                          "id": 3,
                          "protoName": "schema_url"
                        }
                      }
                    },
                    "Span": {
                      "fields": {
                        "traceId": {
                          "type": "bytes",
                          "id": 1,
                          "protoName": "trace_id"
                        },
                        "spanId": {
                          "type": "bytes",
                          "id": 2,
                          "protoName": "span_id"
                        },
                        "traceState": {
                          "type": "string",
                          "id": 3,
                          "protoName": "trace_state"
                        },
                        "parentSpanId": {
                          "type": "bytes",
                          "id": 4,
                          "protoName": "parent_span_id"
                        },
                        "name": {
                          "type": "string",
                          "id": 5
                        },
                        "kind": {
                          "type": "SpanKind",
                          "id": 6
                        },
                        "startTimeUnixNano": {
                          "type": "fixed64",
                          "id": 7,
                          "protoName": "start_time_unix_nano"
                        },
                        "endTimeUnixNano": {
                          "type": "fixed64",
                          "id": 8,
                          "protoName": "end_time_unix_nano"
                        },
                        "attributes": {
                          "rule": "repeated",
                          "type": "opentelemetry.proto.common.v1.KeyValue",
                          "id": 9
                        },
                        "droppedAttributesCount": {
                          "type": "uint32",
                          "id": 10,
                          "protoName": "dropped_attributes_count"
                        },
                        "events": {
                          "rule": "repeated",
                          "type": "Event",
                          "id": 11
                        },
                        "droppedEventsCount": {
                          "type": "uint32",
                          "id": 12,
                          "protoName": "dropped_events_count"
                        },
                        "links": {
                          "rule": "repeated",
                          "type": "Link",
                          "id": 13
                        },
                        "droppedLinksCount": {
                          "type": "uint32",
                          "id": 14,
                          "protoName": "dropped_links_count"
                        },
                        "status": {
                          "type": "Status",
                          "id": 15
                        }
                      },
                      "nested": {
                        "SpanKind": {
                          "values": {
                            "SPAN_KIND_UNSPECIFIED": 0,
                            "SPAN_KIND_INTERNAL": 1,
                            "SPAN_KIND_SERVER": 2,
                            "SPAN_KIND_CLIENT": 3,
                            "SPAN_KIND_PRODUCER": 4,
                            "SPAN_KIND_CONSUMER": 5
                          }
                        },
                        "Event": {
                          "fields": {
                            "timeUnixNano": {
                              "type": "fixed64",
                              "id": 1,
                              "protoName": "time_unix_nano"
                            },
                            "name": {
                              "type": "string",
                              "id": 2
                            },
                            "attributes": {
                              "rule": "repeated",
                              "type": "opentelemetry.proto.common.v1.KeyValue",
                              "id": 3
                            },
                            "droppedAttributesCount": {
                              "type": "uint32",
                              "id": 4,
                              "protoName": "dropped_attributes_count"
                            }
                          }
                        },
                        "Link": {
                          "fields": {
                            "traceId": {
                              "type": "bytes",
                              "id": 1,
                              "protoName": "trace_id"
                            },
                            "spanId": {
                              "type": "bytes",
                              "id": 2,
                              "protoName": "span_id"
                            },
                            "traceState": {
                              "type": "string",
                              "id": 3,
                              "protoName": "trace_state"
                            },
                            "attributes": {
                              "rule": "repeated",
                              "type": "opentelemetry.proto.common.v1.KeyValue",
                              "id": 4
                            },
                            "droppedAttributesCount": {
                              "type": "uint32",
                              "id": 5,
                              "protoName": "dropped_attributes_count"
                            }
                          }
                        }
                      }
                    },
                    "Status": {
                      "fields": {
                        "message": {
                          "type": "string",
                          "id": 2
                        },
                        "code": {
                          "type": "StatusCode",
                          "id": 3
                        }
                      },
                      "reserved": [
                        [
                          1,
                          1
                        ]
                      ],
                      "nested": {
                        "StatusCode": {
                          "values": {
                            "STATUS_CODE_UNSET": 0,
                            "STATUS_CODE_OK": 1,
                            "STATUS_CODE_ERROR": 2
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "collector": {
              "nested": {
                "trace": {
                  "nested": {
                    "v1": {
                      "options": {
                        "java_multiple_files": true,
                        "java_package": "io.opentelemetry.proto.collector.trace.v1",
                        "java_outer_classname": "TraceServiceProto",
                        "go_package": "go.opentelemetry.io/proto/otlp/collector/trace/v1"
                      },
                      "nested": {
                        "TraceService": {
                          "methods": {
                            "Export": {
                              "requestType": "ExportTraceServiceRequest",
                              "responseType": "ExportTraceServiceResponse"
                            }
                          }
                        },
                        "ExportTraceServiceRequest": {
                          "fields": {
                            "resourceSpans": {
                              "rule": "repeated",
                              "type": "opentelemetry.proto.trace.v1.ResourceSpans",
                              "id": 1,
                              "protoName": "resource_spans"
                            }
                          }
                        },
                        "ExportTraceServiceResponse": {
                          "fields": {}
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
};
