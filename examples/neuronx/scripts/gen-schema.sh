#!/bin/sh
echo generating schema/api.json
