"""The appliance bank (家電バンク): donated appliances from intake through inspection to a household, or
to disposal through the recycling route."""
