/** Name pools for the second organisation: a mixed, international workforce and its outside contacts. */
export const FIRST_NAMES = [
  'Aaliyah', 'Aarav', 'Abigail', 'Adebayo', 'Adrian', 'Aisha', 'Alejandro', 'Alex', 'Alina', 'Amara', 'Amelia', 'Ana', 'Andre', 'Andrew',
  'Angela', 'Anil', 'Anna', 'Antonio', 'Arjun', 'Ashley', 'Ben', 'Bianca', 'Brandon', 'Brian', 'Caleb', 'Camila', 'Carlos', 'Carmen',
  'Caroline', 'Catherine', 'Chen', 'Chiara', 'Chloe', 'Chris', 'Christina', 'Claire', 'Connor', 'Daniel', 'Daniela', 'David', 'Deepa',
  'Derek', 'Diego', 'Dmitri', 'Eduardo', 'Elena', 'Eli', 'Elif', 'Elizabeth', 'Emeka', 'Emily', 'Emma', 'Eric', 'Ethan', 'Eva',
  'Fatima', 'Felix', 'Fernando', 'Fiona', 'Gabriel', 'Grace', 'Hannah', 'Hassan', 'Hector', 'Helen', 'Hiroshi', 'Ian', 'Imani',
  'Irene', 'Isaac', 'Isabel', 'Jack', 'Jacob', 'Jamal', 'James', 'Jasmine', 'Jason', 'Javier', 'Jennifer', 'Jessica', 'Joanna', 'Joel',
  'John', 'Jordan', 'Jose', 'Joseph', 'Julia', 'Julian', 'Karan', 'Karen', 'Kate', 'Kenji', 'Kevin', 'Kofi', 'Laura', 'Lauren', 'Leah',
  'Leila', 'Leo', 'Liam', 'Lina', 'Lucas', 'Lucia', 'Luis', 'Maya', 'Marco', 'Maria', 'Mariana', 'Mark', 'Marta', 'Matthew', 'Mei',
  'Michael', 'Michelle', 'Miguel', 'Mohammed', 'Monica', 'Nadia', 'Naomi', 'Natalia', 'Nathan', 'Neha', 'Nicole', 'Nina', 'Noah',
  'Olivia', 'Omar', 'Oscar', 'Pablo', 'Patrick', 'Paul', 'Pedro', 'Peter', 'Priya', 'Rachel', 'Rafael', 'Rahul', 'Ravi', 'Rebecca',
  'Ricardo', 'Robert', 'Rosa', 'Ryan', 'Samantha', 'Samuel', 'Sandra', 'Sara', 'Sean', 'Sofia', 'Sophie', 'Stephen', 'Steven', 'Sunil',
  'Tamara', 'Thomas', 'Tiago', 'Tom', 'Tyler', 'Valentina', 'Victor', 'Vikram', 'Wei', 'William', 'Xavier', 'Yara', 'Yusuf', 'Zara',
  'Zoe', 'Ines', 'Joao', 'Lars', 'Ingrid', 'Mateo', 'Rohan', 'Tanvi', 'Kwame', 'Ngozi', 'Bartek', 'Agnieszka', 'Marisol', 'Jae',
];

export const LAST_NAMES = [
  'Abbott', 'Adeyemi', 'Alvarez', 'Anderson', 'Bailey', 'Banerjee', 'Barnes', 'Becker', 'Bennett', 'Bianchi', 'Brooks', 'Brown', 'Bui',
  'Campbell', 'Castillo', 'Chandra', 'Chen', 'Clarke', 'Collins', 'Cooper', 'Costa', 'Cruz', 'Das', 'Davies', 'Delgado', 'Dubois', 'Duarte',
  'Edwards', 'Evans', 'Fernandes', 'Fischer', 'Fitzgerald', 'Flores', 'Foster', 'Garcia', 'Gomez', 'Gonzalez', 'Gordon', 'Graham',
  'Gupta', 'Hall', 'Hansen', 'Harris', 'Hayes', 'Hernandez', 'Hoffman', 'Hughes', 'Ibrahim', 'Iyer', 'Jackson', 'Jensen', 'Johnson',
  'Kaur', 'Kelly', 'Kim', 'Kowalski', 'Kumar', 'Larsen', 'Lee', 'Lewis', 'Li', 'Lin', 'Lopez', 'Marshall', 'Martin', 'Martinez',
  'Mendes', 'Menon', 'Meyer', 'Miller', 'Mitchell', 'Moore', 'Morales', 'Morgan', 'Murphy', 'Nakamura', 'Nguyen', 'Novak', 'Nowak',
  "O'Brien", 'Okafor', 'Okonkwo', 'Oliveira', 'Ortiz', 'Owens', 'Park', 'Patel', 'Pereira', 'Perez', 'Peterson', 'Phillips', 'Price',
  'Quinn', 'Ramirez', 'Rao', 'Reed', 'Reyes', 'Richardson', 'Rivera', 'Roberts', 'Robinson', 'Rodriguez', 'Rossi', 'Russo', 'Sanchez',
  'Santos', 'Schmidt', 'Scott', 'Shah', 'Sharma', 'Silva', 'Singh', 'Smith', 'Sokolov', 'Stewart', 'Sullivan', 'Tanaka', 'Taylor',
  'Thomas', 'Thompson', 'Torres', 'Tran', 'Turner', 'Vasquez', 'Wagner', 'Walker', 'Wang', 'Ward', 'Watson', 'White', 'Williams',
  'Wilson', 'Wong', 'Wright', 'Wu', 'Yamamoto', 'Yang', 'Young', 'Zhang', 'Zielinski', 'Whitfield', 'Castellanos', 'Lindqvist',
  'Achebe', 'Haddad', 'Mensah', 'Petrov', 'Varga', 'Horvat', 'Ferreira', 'Soto', 'Navarro', 'Bakker', 'Dunn', 'Hale',
];

/** Customers: company name and email domain (fictional, reserved .example TLD). */
export const CUSTOMERS = [
  ['Nordhaven Foods', 'nordhavenfoods.example'], ['Bluegate Logistics', 'bluegate-logistics.example'], ['Cinder Retail Group', 'cinderretail.example'],
  ['Harlow Pharmaceuticals', 'harlowpharma.example'], ['Pinecrest Energy', 'pinecrest-energy.example'], ['Quarry Lane Bank', 'quarrylane.example'],
  ['Tessellate Apparel', 'tessellate.example'], ['Marlowe Hotels', 'marlowehotels.example'], ['Oakridge Health', 'oakridgehealth.example'],
  ['Vantor Automotive', 'vantor-auto.example'], ['Silverline Telecom', 'silverline.example'], ['Kestrel Airlines', 'kestrelair.example'],
  ['Grainger & Holt', 'graingerholt.example'], ['Foxglove Cosmetics', 'foxglove.example'], ['Meridian Freight', 'meridianfreight.example'],
  ['Amberfield Insurance', 'amberfield.example'], ['Corvid Media', 'corvidmedia.example'], ['Lattice Semiconductors', 'latticesemi.example'],
  ['Halcyon Home', 'halcyonhome.example'], ['Redwood Outdoor', 'redwood-outdoor.example'], ['Solace Senior Living', 'solaceliving.example'],
  ['Bramble Beverages', 'bramblebev.example'], ['Northwind Traders', 'northwind.example'], ['Tidewater Utilities', 'tidewater.example'],
  ['Ironbark Construction', 'ironbark.example'], ['Copperleaf Software', 'copperleaf.example'], ['Juniper Grocers', 'junipergrocers.example'],
  ['Ashgrove University', 'ashgrove.example'], ['Starling Fintech', 'starlingfin.example'], ['Wexford Chemicals', 'wexfordchem.example'],
  ['Larch & Sons', 'larchandsons.example'], ['Everly Fashion', 'everly.example'], ['Granite State Mutual', 'granitemutual.example'],
  ['Obsidian Games', 'obsidiangames.example'], ['Parallax Labs', 'parallaxlabs.example'], ['Riverstone Dairy', 'riverstone.example'],
  ['Saffron Restaurants', 'saffronrg.example'], ['Tundra Outfitters', 'tundra.example'], ['Umber Furniture', 'umber.example'],
  ['Verdant Agritech', 'verdant-agri.example'], ['Willow Pet Supplies', 'willowpets.example'], ['Yellowtail Seafood', 'yellowtail.example'],
  ['Zephyr Cycles', 'zephyrcycles.example'], ['Brightmoor Schools', 'brightmoor.example'], ['Cobalt Mining', 'cobaltmining.example'],
  ['Delphi Analytics GmbH', 'delphi-analytics.example'], ['Elmstead Retail UK', 'elmstead.example'], ['Fjord Shipping AS', 'fjordshipping.example'],
  ['Gale Windpower', 'galewind.example'], ['Heliotrope Travel', 'heliotrope.example'], ['Indigo Textiles', 'indigotex.example'],
  ['Kinetic Sports', 'kineticsports.example'], ['Lumen Lighting', 'lumenlighting.example'], ['Monarch Paper', 'monarchpaper.example'],
] as const;

export const PERSONAL_DOMAINS = ['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'icloud.com', 'yahoo.com', 'hotmail.co.uk', 'proton.me'];
